/**
 * Language-neutral name handling: splitting contract names into words and
 * joining them again. Language rules (initialisms, reserved words) live with
 * each renderer.
 */

/** Splits `createdAt`, `created_at`, `Created-At`, `HTTPServer2`, `v1.2` into lower-case words. */
export function words(name: string): string[] {
  let cached = wordCache.get(name);
  if (!cached) {
    cached = split(name);
    wordCache.set(name, cached);
  }
  return cached;
}

/** Names repeat a lot in large contracts; splitting each once is worth the memory. */
const wordCache = new Map<string, string[]>();

function split(name: string): string[] {
  return name
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .replace(/([A-Z]+)([A-Z](?!s(?:[^a-z]|$))[a-z])/g, '$1 $2')
    .split(/[^A-Za-z0-9]+/)
    .filter(Boolean)
    .map((w) => w.toLowerCase());
}

export function pascal(name: string): string {
  return words(name)
    .map((w) => w.charAt(0).toUpperCase() + w.slice(1))
    .join('');
}

export function camel(name: string): string {
  const p = pascal(name);
  return p.charAt(0).toLowerCase() + p.slice(1);
}

export function snake(name: string): string {
  return words(name).join('_');
}

export function kebab(name: string): string {
  return words(name).join('-');
}

/** Plurals in -ves that resource names use (`shelves/{shelf}`), by their singular. */
const IRREGULAR: Record<string, string> = {
  shelf: 'shelves',
  half: 'halves',
  leaf: 'leaves',
  life: 'lives',
  knife: 'knives',
  wolf: 'wolves',
  self: 'selves',
  thief: 'thieves',
  loaf: 'loaves',
  calf: 'calves',
  wife: 'wives',
};

/** `to` in the case of `like`: all capitals, a capital first, or as it is. */
function matchCase(to: string, like: string): string {
  if (like === like.toUpperCase()) return to.toUpperCase();
  if (like[0] === like[0]!.toUpperCase()) return to[0]!.toUpperCase() + to.slice(1);
  return to;
}

/** A naive English singular: `products` → `product`, `categories` → `category`. */
export function singular(word: string): string {
  const irregular = Object.entries(IRREGULAR).find(([, many]) => many === word.toLowerCase());
  if (irregular) return matchCase(irregular[0], word);
  if (/ies$/i.test(word)) return word.slice(0, -3) + (word.endsWith('IES') ? 'Y' : 'y');
  if (/(ss|x|ch|sh)es$/i.test(word)) return word.slice(0, -2);
  if (/[^s]s$/i.test(word)) return word.slice(0, -1);
  return word;
}

/** A naive English plural: `product` → `products`, `category` → `categories`. */
export function plural(word: string): string {
  const irregular = IRREGULAR[word.toLowerCase()];
  if (irregular) return matchCase(irregular, word);
  if (/[^aeiou]y$/i.test(word)) return `${word.slice(0, -1)}ies`;
  if (/(s|x|ch|sh)$/i.test(word)) return `${word}es`;
  return `${word}s`;
}

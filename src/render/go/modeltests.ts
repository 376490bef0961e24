import type { UnionDecl } from '../../model/types.js';
import { exampleFor } from '../../model/examples.js';
import type { Artifact } from '../artifact.js';
import { GoFile } from './gofile.js';
import type { GoModel } from './gomodel.js';
import { goRawString, goString } from './naming.js';

/**
 * Tests of the generated sum types: every variant's example decodes, encodes
 * and decodes again to the same value; with a discriminator, it decodes into
 * the variant the discriminator names.
 */
export function renderModelTests(gm: GoModel): Artifact[] {
  const unions = gm.model.types.filter((t): t is UnionDecl => t.kind === 'union');
  if (unions.length === 0) return [];
  const f = new GoFile('pkg/models/unions_gen_test.go', 'models');
  const testing = f.use('testing');
  const json = f.use('encoding/json');
  for (const u of unions) {
    const name = gm.typeName(u.name);
    const fields = gm.unionFields(u);
    const cases = u.variants.map((v, i) => {
      let value = exampleFor(v.type, gm.decls, v.constraints);
      if (u.discriminator && v.tags[0] !== undefined && value && typeof value === 'object' && !Array.isArray(value)) {
        value = { ...value, [u.discriminator]: v.tags[0] };
      }
      const variant = u.discriminator ? goString(fields[i]!) : '""';
      return `\t\t{name: ${goString(fields[i]!)}, data: ${goRawString(JSON.stringify(value))}, variant: ${variant}},`;
    });
    f.add(
      `// Test${name}RoundTrip decodes an example of each variant, encodes it and`,
      '// decodes it again: both decoded values must be equal.',
      `func Test${name}RoundTrip(t *${testing}.T) {`,
      '\tcases := []struct {',
      '\t\tname, data string',
      '\t\t// variant is the field the discriminator selects; empty when there is none.',
      '\t\tvariant string',
      '\t}{',
      ...cases,
      '\t}',
      '\tfor _, tc := range cases {',
      `\t\tt.Run(tc.name, func(t *${testing}.T) {`,
      `\t\t\tvar first ${name}`,
      `\t\t\tif err := ${json}.Unmarshal([]byte(tc.data), &first); err != nil {`,
      '\t\t\t\tt.Fatalf("decode %s: %v", tc.data, err)',
      '\t\t\t}',
      `\t\t\tif tc.variant != "" && ${f.use('reflect')}.ValueOf(first).FieldByName(tc.variant).IsNil() {`,
      '\t\t\t\tt.Fatalf("%s decoded into the wrong variant: %+v", tc.data, first)',
      '\t\t\t}',
      `\t\t\tencoded, err := ${json}.Marshal(first)`,
      '\t\t\tif err != nil {',
      '\t\t\t\tt.Fatalf("encode: %v", err)',
      '\t\t\t}',
      `\t\t\tvar second ${name}`,
      `\t\t\tif err := ${json}.Unmarshal(encoded, &second); err != nil {`,
      '\t\t\t\tt.Fatalf("decode %s again: %v", encoded, err)',
      '\t\t\t}',
      `\t\t\tif !${f.use('reflect')}.DeepEqual(first, second) {`,
      '\t\t\t\tt.Fatalf("round trip changed the value: %+v became %+v", first, second)',
      '\t\t\t}',
      '\t\t})',
      '\t}',
      '}',
    );
  }
  return [f.toArtifact(gm.settings.module)];
}

package main

import (
	"fmt"

	monitoringv1 "github.com/prometheus-operator/prometheus-operator/pkg/apis/monitoring/v1"
	appsv1 "k8s.io/api/apps/v1"
	autoscalingv2 "k8s.io/api/autoscaling/v2"
	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	policyv1 "k8s.io/api/policy/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	sigsjson "sigs.k8s.io/json"
	"sigs.k8s.io/yaml"
)

// kinds are the objects k8scheck knows, by apiVersion and kind. Anything else
// is refused: it could not be checked.
var kinds = map[string]func() any{
	"v1/Namespace":                            func() any { return &corev1.Namespace{} },
	"v1/ServiceAccount":                       func() any { return &corev1.ServiceAccount{} },
	"v1/ConfigMap":                            func() any { return &corev1.ConfigMap{} },
	"v1/Secret":                               func() any { return &corev1.Secret{} },
	"v1/Service":                              func() any { return &corev1.Service{} },
	"apps/v1/Deployment":                      func() any { return &appsv1.Deployment{} },
	"autoscaling/v2/HorizontalPodAutoscaler":  func() any { return &autoscalingv2.HorizontalPodAutoscaler{} },
	"policy/v1/PodDisruptionBudget":           func() any { return &policyv1.PodDisruptionBudget{} },
	"networking.k8s.io/v1/NetworkPolicy":      func() any { return &networkingv1.NetworkPolicy{} },
	"networking.k8s.io/v1/Ingress":            func() any { return &networkingv1.Ingress{} },
	"monitoring.coreos.com/v1/ServiceMonitor": func() any { return &monitoringv1.ServiceMonitor{} },
}

// decodeStrict decodes one YAML document into its typed struct the way the
// API server's strict field validation does: field names are case-sensitive,
// and unknown or duplicate fields and values of the wrong type are errors.
func decodeStrict(doc []byte) (any, []string) {
	js, err := yaml.YAMLToJSONStrict(doc)
	if err != nil {
		return nil, []string{fmt.Sprintf("invalid YAML: %v", err)}
	}
	var tm metav1.TypeMeta
	if err := sigsjson.UnmarshalCaseSensitivePreserveInts(js, &tm); err != nil {
		return nil, []string{fmt.Sprintf("no apiVersion/kind: %v", err)}
	}
	id := tm.APIVersion + "/" + tm.Kind
	newObj, ok := kinds[id]
	if !ok {
		return nil, []string{fmt.Sprintf("%s: unknown or removed API (apiVersion %q, kind %q)", id, tm.APIVersion, tm.Kind)}
	}
	obj := newObj()
	strictErrs, err := sigsjson.UnmarshalStrict(js, obj, sigsjson.DisallowDuplicateFields, sigsjson.DisallowUnknownFields)
	name := nameOf(obj)
	var problems []string
	if err != nil {
		// A value of the wrong type; the object is decoded as far as it goes.
		problems = append(problems, fmt.Sprintf("%s %s: %v", tm.Kind, name, err))
	}
	for _, e := range strictErrs {
		problems = append(problems, fmt.Sprintf("%s %s: %v", tm.Kind, name, e))
	}
	return obj, problems
}

// nameOf is an object's metadata.name, for messages.
func nameOf(obj any) string {
	if o, ok := obj.(metav1.Object); ok {
		return o.GetName()
	}
	return "?"
}

package main

import (
	"fmt"
	"reflect"
	"regexp"

	monitoringv1 "github.com/prometheus-operator/prometheus-operator/pkg/apis/monitoring/v1"
	appsv1 "k8s.io/api/apps/v1"
	autoscalingv2 "k8s.io/api/autoscaling/v2"
	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	policyv1 "k8s.io/api/policy/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/intstr"
	psapi "k8s.io/pod-security-admission/api"
	"k8s.io/pod-security-admission/policy"
)

// objectSet holds the decoded objects of one rendering, by type.
type objectSet struct {
	namespaces      []*corev1.Namespace
	serviceAccounts []*corev1.ServiceAccount
	configMaps      []*corev1.ConfigMap
	secrets         []*corev1.Secret
	services        []*corev1.Service
	deployments     []*appsv1.Deployment
	hpas            []*autoscalingv2.HorizontalPodAutoscaler
	pdbs            []*policyv1.PodDisruptionBudget
	netpols         []*networkingv1.NetworkPolicy
	ingresses       []*networkingv1.Ingress
	monitors        []*monitoringv1.ServiceMonitor
	// namespaced lists every object but the Namespaces, for the namespace check.
	namespaced []objectRef
}

type objectRef struct{ kind, name, namespace string }

func newObjectSet(objects []any) *objectSet {
	s := &objectSet{
		namespaces:      ofType[*corev1.Namespace](objects),
		serviceAccounts: ofType[*corev1.ServiceAccount](objects),
		configMaps:      ofType[*corev1.ConfigMap](objects),
		secrets:         ofType[*corev1.Secret](objects),
		services:        ofType[*corev1.Service](objects),
		deployments:     ofType[*appsv1.Deployment](objects),
		hpas:            ofType[*autoscalingv2.HorizontalPodAutoscaler](objects),
		pdbs:            ofType[*policyv1.PodDisruptionBudget](objects),
		netpols:         ofType[*networkingv1.NetworkPolicy](objects),
		ingresses:       ofType[*networkingv1.Ingress](objects),
		monitors:        ofType[*monitoringv1.ServiceMonitor](objects),
	}
	for _, obj := range objects {
		_, isNS := obj.(*corev1.Namespace)
		if o, ok := obj.(metav1.Object); ok && !isNS {
			s.namespaced = append(s.namespaced, objectRef{reflect.TypeOf(obj).Elem().Name(), o.GetName(), o.GetNamespace()})
		}
	}
	return s
}

// ofType picks the objects of one type.
func ofType[T any](objects []any) []T {
	var out []T
	for _, obj := range objects {
		if o, ok := obj.(T); ok {
			out = append(out, o)
		}
	}
	return out
}

// secretLike names environment variables whose literal value would be a secret.
var secretLike = regexp.MustCompile(`(?i)(PASSWORD|SECRET|TOKEN|API_?KEY|PRIVATE_?KEY|CREDENTIAL)`)

// checkPods evaluates every pod template against the Pod Security Standard
// "restricted" (the upstream admission checks, latest version) and the
// project's own rules.
func (s *objectSet) checkPods() []string {
	evaluator, err := policy.NewEvaluator(policy.DefaultChecks())
	if err != nil {
		return []string{fmt.Sprintf("pod security evaluator: %v", err)}
	}
	restricted := psapi.LevelVersion{Level: psapi.LevelRestricted, Version: psapi.LatestVersion()}
	var problems []string
	for _, d := range s.deployments {
		bad := func(format string, args ...any) {
			problems = append(problems, fmt.Sprintf("Deployment %s: ", d.Name)+fmt.Sprintf(format, args...))
		}
		pod := &d.Spec.Template
		for _, r := range evaluator.EvaluatePod(restricted, &pod.ObjectMeta, &pod.Spec) {
			if !r.Allowed {
				bad("violates Pod Security Standard restricted: %s (%s)", r.ForbiddenReason, r.ForbiddenDetail)
			}
		}
		spec := &pod.Spec
		if spec.AutomountServiceAccountToken == nil || *spec.AutomountServiceAccountToken {
			bad("automountServiceAccountToken must be false")
		}
		if spec.TerminationGracePeriodSeconds == nil {
			bad("terminationGracePeriodSeconds is not set")
		}
		if len(spec.TopologySpreadConstraints) == 0 {
			bad("no topologySpreadConstraints")
		}
		if st := d.Spec.Strategy; st.Type != appsv1.RollingUpdateDeploymentStrategyType || st.RollingUpdate == nil ||
			st.RollingUpdate.MaxUnavailable == nil || st.RollingUpdate.MaxUnavailable.IntValue() != 0 {
			bad("strategy must be RollingUpdate with maxUnavailable 0")
		}
		mounted := map[string]bool{}
		for _, c := range append(append([]corev1.Container{}, spec.InitContainers...), spec.Containers...) {
			sc := c.SecurityContext
			if sc == nil || sc.ReadOnlyRootFilesystem == nil || !*sc.ReadOnlyRootFilesystem {
				bad("container %s: readOnlyRootFilesystem must be true", c.Name)
			}
			for _, res := range []corev1.ResourceName{corev1.ResourceCPU, corev1.ResourceMemory} {
				req, hasReq := c.Resources.Requests[res]
				lim, hasLim := c.Resources.Limits[res]
				if !hasReq || !hasLim {
					bad("container %s: %s request and limit must both be set", c.Name, res)
				} else if req.Cmp(lim) > 0 {
					bad("container %s: %s request %s is above the limit %s", c.Name, res, req.String(), lim.String())
				}
			}
			for _, e := range c.Env {
				if e.Value != "" && secretLike.MatchString(e.Name) {
					bad("container %s: env %s holds a literal value: reference a Secret instead", c.Name, e.Name)
				}
			}
			for _, m := range c.VolumeMounts {
				mounted[m.Name] = true
			}
		}
		for _, c := range spec.Containers {
			if c.LivenessProbe == nil || c.ReadinessProbe == nil || c.StartupProbe == nil {
				bad("container %s: liveness, readiness and startup probes must all be set", c.Name)
			}
		}
		for _, v := range spec.Volumes {
			if !mounted[v.Name] {
				bad("volume %s is not mounted", v.Name)
			}
			if v.EmptyDir != nil && v.EmptyDir.SizeLimit == nil {
				bad("emptyDir %s has no sizeLimit", v.Name)
			}
		}
	}
	for _, sec := range s.secrets {
		problems = append(problems, fmt.Sprintf("Secret %s: secrets must be referenced, not written into the manifests", sec.Name))
	}
	return problems
}

// checkReferences checks that what objects name exists in the same rendering.
func (s *objectSet) checkReferences() []string {
	var problems []string
	bad := func(format string, args ...any) { problems = append(problems, fmt.Sprintf(format, args...)) }

	for _, ns := range s.namespaces {
		for _, o := range s.namespaced {
			if o.namespace != ns.Name {
				bad("%s %s is in namespace %q, not in the rendered namespace %q", o.kind, o.name, o.namespace, ns.Name)
			}
		}
	}
	for _, d := range s.deployments {
		if !selects(d.Spec.Selector.MatchLabels, d.Spec.Template.Labels) {
			bad("Deployment %s: the selector does not match the pod template's labels", d.Name)
		}
		spec := &d.Spec.Template.Spec
		if spec.ServiceAccountName != "" && !s.hasServiceAccount(spec.ServiceAccountName) {
			bad("Deployment %s: service account %s is not rendered", d.Name, spec.ServiceAccountName)
		}
		for _, v := range spec.Volumes {
			if cm := v.ConfigMap; cm != nil && (cm.Optional == nil || !*cm.Optional) && !s.hasConfigMap(cm.Name) {
				bad("Deployment %s: volume %s mounts ConfigMap %s, which is not rendered", d.Name, v.Name, cm.Name)
			}
		}
		for _, c := range spec.Containers {
			for _, p := range []*corev1.Probe{c.LivenessProbe, c.ReadinessProbe, c.StartupProbe} {
				if p != nil && p.HTTPGet != nil && !hasPort(c, p.HTTPGet.Port) {
					bad("Deployment %s: a probe of %s uses port %s, which the container does not declare", d.Name, c.Name, p.HTTPGet.Port.String())
				}
			}
		}
	}
	for _, svc := range s.services {
		d := s.deploymentSelected(svc.Spec.Selector)
		if d == nil {
			bad("Service %s: the selector matches no Deployment", svc.Name)
			continue
		}
		for _, p := range svc.Spec.Ports {
			if !anyContainerHasPort(d, p.TargetPort) {
				bad("Service %s: port %s targets %s, which Deployment %s does not declare", svc.Name, p.Name, p.TargetPort.String(), d.Name)
			}
		}
	}
	for _, h := range s.hpas {
		ref := h.Spec.ScaleTargetRef
		if ref.Kind != "Deployment" || s.deployment(ref.Name) == nil {
			bad("HorizontalPodAutoscaler %s: target %s %s is not rendered", h.Name, ref.Kind, ref.Name)
		}
		if h.Spec.MinReplicas == nil || *h.Spec.MinReplicas < 1 || *h.Spec.MinReplicas > h.Spec.MaxReplicas {
			bad("HorizontalPodAutoscaler %s: minReplicas must be set, at least 1 and at most maxReplicas", h.Name)
		}
	}
	for _, p := range s.pdbs {
		if p.Spec.Selector == nil || s.deploymentSelected(p.Spec.Selector.MatchLabels) == nil {
			bad("PodDisruptionBudget %s: the selector matches no Deployment", p.Name)
		}
	}
	for _, np := range s.netpols {
		d := s.deploymentSelected(np.Spec.PodSelector.MatchLabels)
		if d == nil {
			bad("NetworkPolicy %s: the pod selector matches no Deployment", np.Name)
			continue
		}
		for _, rule := range np.Spec.Ingress {
			if len(rule.Ports) == 0 {
				bad("NetworkPolicy %s: an ingress rule admits every port", np.Name)
			}
			for _, p := range rule.Ports {
				if p.Port == nil || !anyContainerHasPort(d, *p.Port) {
					bad("NetworkPolicy %s: admits a port Deployment %s does not declare", np.Name, d.Name)
				}
			}
		}
	}
	for _, ing := range s.ingresses {
		for _, rule := range ing.Spec.Rules {
			if rule.HTTP == nil {
				continue
			}
			for _, path := range rule.HTTP.Paths {
				b := path.Backend.Service
				if b == nil || !s.serviceHasPort(b.Name, b.Port.Name, b.Port.Number) {
					bad("Ingress %s: path %s goes to a Service port that is not rendered", ing.Name, path.Path)
				}
			}
		}
	}
	for _, m := range s.monitors {
		var svc *corev1.Service
		for _, c := range s.services {
			if selects(m.Spec.Selector.MatchLabels, c.Labels) {
				svc = c
			}
		}
		if svc == nil {
			bad("ServiceMonitor %s: the selector matches no Service", m.Name)
			continue
		}
		for _, e := range m.Spec.Endpoints {
			if !s.serviceHasPort(svc.Name, e.Port, 0) {
				bad("ServiceMonitor %s: endpoint port %q is not a port of Service %s", m.Name, e.Port, svc.Name)
			}
		}
	}
	return problems
}

// selects reports whether every selector label is among the labels (and the selector is not empty).
func selects(selector, labels map[string]string) bool {
	if len(selector) == 0 {
		return false
	}
	for k, v := range selector {
		if labels[k] != v {
			return false
		}
	}
	return true
}

func (s *objectSet) deployment(name string) *appsv1.Deployment {
	for _, d := range s.deployments {
		if d.Name == name {
			return d
		}
	}
	return nil
}

func (s *objectSet) deploymentSelected(selector map[string]string) *appsv1.Deployment {
	for _, d := range s.deployments {
		if selects(selector, d.Spec.Template.Labels) {
			return d
		}
	}
	return nil
}

func (s *objectSet) hasServiceAccount(name string) bool {
	for _, a := range s.serviceAccounts {
		if a.Name == name {
			return true
		}
	}
	return false
}

func (s *objectSet) hasConfigMap(name string) bool {
	for _, c := range s.configMaps {
		if c.Name == name {
			return true
		}
	}
	return false
}

func (s *objectSet) serviceHasPort(service, portName string, number int32) bool {
	for _, svc := range s.services {
		if svc.Name != service {
			continue
		}
		for _, p := range svc.Spec.Ports {
			if (portName != "" && p.Name == portName) || (number != 0 && p.Port == number) {
				return true
			}
		}
	}
	return false
}

func hasPort(c corev1.Container, port intstr.IntOrString) bool {
	for _, p := range c.Ports {
		if (port.Type == intstr.String && p.Name == port.StrVal) || (port.Type == intstr.Int && p.ContainerPort == port.IntVal) {
			return true
		}
	}
	return false
}

func anyContainerHasPort(d *appsv1.Deployment, port intstr.IntOrString) bool {
	for _, c := range d.Spec.Template.Spec.Containers {
		if hasPort(c, port) {
			return true
		}
	}
	return false
}

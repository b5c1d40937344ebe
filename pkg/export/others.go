package export

import (
	"context"
	"encoding/json"
	"fmt"
	"sort"
	"strconv"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"

	capabilitiesv1beta1 "github.com/threescale-oss/operator/api/capabilities/v1beta1"
	"github.com/threescale-oss/operator/pkg/capabilities/activedoc"
	"github.com/threescale-oss/operator/pkg/capabilities/application"
	"github.com/threescale-oss/operator/pkg/capabilities/custompolicy"
	"github.com/threescale-oss/operator/pkg/capabilities/developer"
	"github.com/threescale-oss/operator/pkg/threescale"
)

// Kinds the API package names no constant for.
const (
	kindCustomPolicyDefinition = "CustomPolicyDefinition"
	kindDeveloperAccount       = "DeveloperAccount"
	kindDeveloperUser          = "DeveloperUser"
	kindApplication            = "Application"
)

func typeMeta(kind string) metav1.TypeMeta {
	return metav1.TypeMeta{APIVersion: capabilitiesv1beta1.GroupVersion.String(), Kind: kind}
}

// exportActiveDocs exports every ActiveDoc, its document in a Secret of its own (a document
// can be larger than a spec should be, and the ActiveDoc reads its one key whatever its name).
func (x *exporter) exportActiveDocs(ctx context.Context) error {
	list, err := x.c.ListActiveDocs(ctx)
	if err != nil {
		return err
	}
	sort.Slice(list, func(i, j int) bool { return list[i].ID < list[j].ID })
	for _, have := range list {
		name := x.names.next(capabilitiesv1beta1.ActiveDocKind, have.SystemName, "activedoc")
		doc := &corev1.Secret{
			TypeMeta:   metav1.TypeMeta{APIVersion: "v1", Kind: "Secret"},
			ObjectMeta: metav1.ObjectMeta{Name: x.names.next("Secret", name+"-openapi", "activedoc-openapi")},
			StringData: map[string]string{"openapi": have.Body},
		}
		systemName := have.SystemName
		obj := &capabilitiesv1beta1.ActiveDoc{
			TypeMeta:   typeMeta(capabilitiesv1beta1.ActiveDocKind),
			ObjectMeta: metav1.ObjectMeta{Name: name},
			Spec: capabilitiesv1beta1.ActiveDocSpec{
				Name: have.Name, SystemName: &systemName, Description: nonEmpty(have.Description),
				ActiveDocOpenAPIRef: capabilitiesv1beta1.OpenAPIRefSpec{SecretRef: &corev1.ObjectReference{Name: doc.Name}},
				Published:           trueOrNil(have.Published), SkipSwaggerValidations: trueOrNil(have.SkipSwaggerValidations),
				ProviderAccountRef: x.providerAccountRef(),
			},
		}
		d := activedoc.Desired{SystemName: systemName, Name: have.Name, Description: have.Description,
			Published: have.Published, SkipSwaggerValidations: have.SkipSwaggerValidations}
		if have.ServiceID != nil && *have.ServiceID != 0 {
			p, ok := x.products[*have.ServiceID]
			if !ok {
				x.result.Unfaithful = append(x.result.Unfaithful, fmt.Sprintf("ActiveDoc %s: product %d is not exported", name, *have.ServiceID))
			} else {
				obj.Spec.ProductSystemName = &p.systemName
				d.ServiceID = *have.ServiceID
			}
		}
		if d.Body, err = activedoc.ParseBody([]byte(have.Body)); err != nil {
			x.result.Unfaithful = append(x.result.Unfaithful, fmt.Sprintf("ActiveDoc %s: its document cannot be read: %v", name, err))
		} else {
			x.unfaithful(obj.Kind, name, activedoc.Plan(d, &have))
		}
		x.add(doc)
		x.add(obj)
	}
	return nil
}

// exportCustomPolicies exports the tenant's policy registry.
func (x *exporter) exportCustomPolicies(ctx context.Context) error {
	list, err := x.c.ListCustomPolicies(ctx)
	if err != nil {
		return err
	}
	sort.Slice(list, func(i, j int) bool { return list[i].ID < list[j].ID })
	for _, have := range list {
		name := x.names.next(kindCustomPolicyDefinition, have.Name+"-"+have.Version, "policy")
		var manifest struct {
			Name          string          `json:"name"`
			Version       string          `json:"version"`
			Summary       string          `json:"summary"`
			Schema        string          `json:"$schema"`
			Description   json.RawMessage `json:"description"`
			Configuration json.RawMessage `json:"configuration"`
		}
		if err := json.Unmarshal(have.Schema, &manifest); err != nil {
			x.result.Unfaithful = append(x.result.Unfaithful, fmt.Sprintf("CustomPolicyDefinition %s: its schema is not a JSON object: %v", name, err))
			continue
		}
		obj := &capabilitiesv1beta1.CustomPolicyDefinition{
			TypeMeta:   typeMeta(kindCustomPolicyDefinition),
			ObjectMeta: metav1.ObjectMeta{Name: name},
			Spec: capabilitiesv1beta1.CustomPolicyDefinitionSpec{
				Name: have.Name, Version: have.Version, ProviderAccountRef: x.providerAccountRef(),
				Schema: capabilitiesv1beta1.CustomPolicySchemaSpec{
					Name: manifest.Name, Version: manifest.Version, Summary: manifest.Summary, Schema: manifest.Schema,
					Description: paragraphs(manifest.Description), Configuration: runtime.RawExtension{Raw: manifest.Configuration},
				},
			},
		}
		ops, err := custompolicy.Plan(&obj.Spec, &have)
		if err != nil {
			x.result.Unfaithful = append(x.result.Unfaithful, fmt.Sprintf("CustomPolicyDefinition %s: %v", name, err))
			continue
		}
		x.unfaithful(obj.Kind, name, ops)
		x.add(obj)
	}
	return nil
}

// paragraphs returns a manifest's description as the spec lists it: a list of paragraphs (a
// single string is one paragraph, which the check reports, since 3scale keeps it a string).
func paragraphs(raw json.RawMessage) []string {
	var list []string
	if json.Unmarshal(raw, &list) == nil {
		return list
	}
	var one string
	if json.Unmarshal(raw, &one) == nil && one != "" {
		return []string{one}
	}
	return nil
}

// exportAccounts exports the developer accounts with their users and applications. Each names
// its 3scale entity by the ID annotation of the 3scale operator Red Hat ships, so the objects
// adopt exactly what was exported. Passwords cannot be read from 3scale: each user references
// a Secret the user creates (listed in SecretsToCreate); a user that exists is never given it.
func (x *exporter) exportAccounts(ctx context.Context) error {
	accounts, err := x.c.ListAccounts(ctx, threescale.AccountFilter{})
	if err != nil {
		return err
	}
	sort.Slice(accounts, func(i, j int) bool { return accounts[i].ID < accounts[j].ID })
	for _, acct := range accounts {
		name := x.names.next(kindDeveloperAccount, acct.OrgName, "account")
		obj := &capabilitiesv1beta1.DeveloperAccount{
			TypeMeta: typeMeta(kindDeveloperAccount),
			ObjectMeta: metav1.ObjectMeta{Name: name,
				Annotations: map[string]string{capabilitiesv1beta1.DeveloperAccountIDAnnotation: strconv.FormatInt(acct.ID, 10)}},
			Spec: capabilitiesv1beta1.DeveloperAccountSpec{
				OrgName: acct.OrgName, ProviderAccountRef: x.providerAccountRef(),
				// Unset is enabled.
				MonthlyBillingEnabled: falseOrNil(acct.MonthlyBillingEnabled), MonthlyChargingEnabled: falseOrNil(acct.MonthlyChargingEnabled),
			},
		}
		x.unfaithful(obj.Kind, name, developer.PlanAccount(acct.ID, developer.DesiredAccount(obj), acct))
		x.add(obj)
		if err := x.exportUsers(ctx, acct.ID, name); err != nil {
			return err
		}
		if err := x.exportApplications(ctx, acct.ID, name); err != nil {
			return err
		}
	}
	return nil
}

func (x *exporter) exportUsers(ctx context.Context, accountID int64, account string) error {
	users, err := x.c.ListUsers(ctx, accountID, threescale.UserFilter{})
	if err != nil {
		return err
	}
	sort.Slice(users, func(i, j int) bool { return users[i].ID < users[j].ID })
	for _, have := range users {
		name := x.names.next(kindDeveloperUser, account+"-"+have.Username, "user")
		password := name + "-password"
		role := have.Role
		obj := &capabilitiesv1beta1.DeveloperUser{
			TypeMeta: typeMeta(kindDeveloperUser),
			ObjectMeta: metav1.ObjectMeta{Name: name,
				Annotations: map[string]string{capabilitiesv1beta1.DeveloperUserIDAnnotation: strconv.FormatInt(have.ID, 10)}},
			Spec: capabilitiesv1beta1.DeveloperUserSpec{
				Username: have.Username, Email: have.Email, Role: &role, Suspended: have.State == threescale.UserStateSuspended,
				DeveloperAccountRef:    corev1.LocalObjectReference{Name: account},
				PasswordCredentialsRef: corev1.SecretReference{Name: password},
				ProviderAccountRef:     x.providerAccountRef(),
			},
		}
		x.unfaithful(obj.Kind, name, developer.PlanUser(accountID, developer.DesiredUser(obj), have))
		x.result.SecretsToCreate = append(x.result.SecretsToCreate, fmt.Sprintf(
			"Secret %s, key %s: the password of developer user %q (3scale never returns it; it is used only if the user must be created again)",
			password, capabilitiesv1beta1.DeveloperUserPasswordSecretKey, have.Username))
		x.add(obj)
	}
	return nil
}

func (x *exporter) exportApplications(ctx context.Context, accountID int64, account string) error {
	apps, err := x.c.ListAccountApplications(ctx, accountID)
	if err != nil {
		return err
	}
	sort.Slice(apps, func(i, j int) bool { return apps[i].ID < apps[j].ID })
	for _, have := range apps {
		name := x.names.next(kindApplication, account+"-"+have.Name, "application")
		p, okProduct := x.products[have.ServiceID]
		plan, okPlan := x.plans[have.PlanID]
		if !okProduct || !okPlan {
			// A plan customized for this application has no place in a Product.
			x.result.Unfaithful = append(x.result.Unfaithful, fmt.Sprintf(
				"application %d %q of developer account %s: its product %d or plan %d (customized?) is not exported; left out", have.ID, have.Name, account, have.ServiceID, have.PlanID))
			continue
		}
		obj := &capabilitiesv1beta1.Application{
			TypeMeta: typeMeta(kindApplication),
			ObjectMeta: metav1.ObjectMeta{Name: name,
				Annotations: map[string]string{capabilitiesv1beta1.ApplicationIDAnnotation: strconv.FormatInt(have.ID, 10)}},
			Spec: capabilitiesv1beta1.ApplicationSpec{
				AccountCR: &corev1.LocalObjectReference{Name: account}, ProductCR: &corev1.LocalObjectReference{Name: p.name},
				ApplicationPlanName: plan, Name: have.Name, Description: have.Description,
				Suspend: have.State == threescale.ApplicationStateSuspended,
			},
		}
		d := application.Desired{Name: have.Name, Description: have.Description, PlanID: have.PlanID, Suspend: obj.Spec.Suspend}
		x.unfaithful(obj.Kind, name, application.Plan(accountID, d, have))
		x.add(obj)
	}
	return nil
}

func trueOrNil(b bool) *bool {
	if !b {
		return nil
	}
	return &b
}

func falseOrNil(b bool) *bool {
	if b {
		return nil
	}
	return &b
}

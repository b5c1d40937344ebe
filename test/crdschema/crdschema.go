// Package crdschema checks CustomResourceDefinitions and custom resources offline, with the API
// server's own validation code and no control plane: a CRD is validated as the API server validates
// it on create (structural schema, CEL compilation and cost estimates), and a custom resource is
// checked on create or update as the API server checks it under kubectl's default strict field
// validation (unknown fields, OpenAPI schema, list types, CEL rules with the old object, ratcheting),
// after the same pruning and defaulting.
//
// It answers in milliseconds what test/api answers with a real kube-apiserver. It does not run the
// API server's generic checks that the CRD author does not control: object metadata (names, labels,
// namespaces), admission, and embedded resources (the operator's CRDs declare none).
package crdschema

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"

	"k8s.io/apiextensions-apiserver/pkg/apihelpers"
	apiextensionsinternal "k8s.io/apiextensions-apiserver/pkg/apis/apiextensions"
	apiextensionsv1 "k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/v1"
	crdvalidation "k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/validation"
	structuralschema "k8s.io/apiextensions-apiserver/pkg/apiserver/schema"
	"k8s.io/apiextensions-apiserver/pkg/apiserver/schema/cel"
	"k8s.io/apiextensions-apiserver/pkg/apiserver/schema/cel/model"
	structuraldefaulting "k8s.io/apiextensions-apiserver/pkg/apiserver/schema/defaulting"
	"k8s.io/apiextensions-apiserver/pkg/apiserver/schema/listtype"
	structuralpruning "k8s.io/apiextensions-apiserver/pkg/apiserver/schema/pruning"
	apiservervalidation "k8s.io/apiextensions-apiserver/pkg/apiserver/validation"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	utiljson "k8s.io/apimachinery/pkg/util/json"
	"k8s.io/apimachinery/pkg/util/validation/field"
	utilyaml "k8s.io/apimachinery/pkg/util/yaml"
	celconfig "k8s.io/apiserver/pkg/apis/cel"
	celcommon "k8s.io/apiserver/pkg/cel/common"
	"sigs.k8s.io/yaml"
)

// A CRD is a CustomResourceDefinition read from a file.
type CRD struct {
	// Object is the CRD as written in its file, before the API server's defaults.
	Object *apiextensionsv1.CustomResourceDefinition

	// served is Object with the defaults the API server applies when it decodes a CRD: the form it
	// validates, stores and serves.
	served *apiextensionsv1.CustomResourceDefinition
}

// LoadCRD reads a CRD from a YAML file. See ParseCRD.
func LoadCRD(path string) (*CRD, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	crd, err := ParseCRD(data)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return crd, nil
}

// ParseCRD decodes a CRD from YAML. Unknown fields are errors: the API server would drop them
// silently, and a CRD generator never writes them.
func ParseCRD(data []byte) (*CRD, error) {
	crd := &apiextensionsv1.CustomResourceDefinition{}
	if err := yaml.UnmarshalStrict(data, crd); err != nil {
		return nil, fmt.Errorf("cannot decode CRD: %w", err)
	}
	if crd.Kind != "CustomResourceDefinition" {
		return nil, fmt.Errorf("kind is %q, want CustomResourceDefinition", crd.Kind)
	}
	served := crd.DeepCopy()
	apiextensionsv1.SetObjectDefaults_CustomResourceDefinition(served)
	return &CRD{Object: crd, served: served}, nil
}

// LoadCRDs reads every *.yaml file of dir as a CRD, in file name order.
func LoadCRDs(dir string) ([]*CRD, error) {
	paths, err := filepath.Glob(filepath.Join(dir, "*.yaml"))
	if err != nil {
		return nil, err
	}
	sort.Strings(paths)
	crds := make([]*CRD, 0, len(paths))
	for _, p := range paths {
		crd, err := LoadCRD(p)
		if err != nil {
			return nil, err
		}
		crds = append(crds, crd)
	}
	return crds, nil
}

// internal converts the served CRD to the API server's internal version, which its validation code
// works on.
func (c *CRD) internal() (*apiextensionsinternal.CustomResourceDefinition, error) {
	internal := &apiextensionsinternal.CustomResourceDefinition{}
	if err := apiextensionsv1.Convert_v1_CustomResourceDefinition_To_apiextensions_CustomResourceDefinition(c.served, internal, nil); err != nil {
		return nil, fmt.Errorf("cannot convert CRD %s: %w", c.served.Name, err)
	}
	return internal, nil
}

// Validate returns the errors the API server would answer to the creation of the CRD: names,
// versions, structural schema, defaults, CEL rules that compile and whose estimated cost is within
// the API server's limits, and so on. It returns nil when the CRD would be accepted.
func (c *CRD) Validate(ctx context.Context) error {
	internal, err := c.internal()
	if err != nil {
		return err
	}
	// The API server records the storage version in status.storedVersions when it stores the CRD;
	// validation requires it to be there.
	for _, v := range internal.Spec.Versions {
		if v.Storage {
			internal.Status.StoredVersions = append(internal.Status.StoredVersions, v.Name)
		}
	}
	if errs := crdvalidation.ValidateCustomResourceDefinition(ctx, internal); len(errs) > 0 {
		return apierrors.NewInvalid(apiextensionsv1.Kind("CustomResourceDefinition"), c.served.Name, errs)
	}
	return nil
}

// A Validator checks the custom resources of one version of a CRD as the API server does.
type Validator struct {
	gvk        schema.GroupVersionKind
	structural *structuralschema.Structural
	schema     apiservervalidation.SchemaValidator
	// cel is nil when the schema has no x-kubernetes-validations rule; its methods accept nil.
	cel *cel.Validator
	// statusSubresource makes status read-only through the main resource, as it is for users.
	statusSubresource bool
}

// Validator builds the validator of a version of the CRD, the way the API server builds the handler
// that serves it. The CRD should pass Validate first: an invalid schema gives an error or a
// validator that disagrees with the API server.
func (c *CRD) Validator(version string) (*Validator, error) {
	served := c.served
	var found bool
	for _, v := range served.Spec.Versions {
		found = found || v.Name == version
	}
	if !found {
		return nil, fmt.Errorf("CRD %s has no version %q", served.Name, version)
	}
	validation, err := apihelpers.GetSchemaForVersion(served, version)
	if err != nil {
		return nil, err
	}
	if validation == nil || validation.OpenAPIV3Schema == nil {
		return nil, fmt.Errorf("CRD %s version %s has no schema", served.Name, version)
	}
	internal := &apiextensionsinternal.CustomResourceValidation{}
	if err := apiextensionsv1.Convert_v1_CustomResourceValidation_To_apiextensions_CustomResourceValidation(validation, internal, nil); err != nil {
		return nil, fmt.Errorf("CRD %s version %s: cannot convert the schema: %w", served.Name, version, err)
	}
	structural, err := structuralschema.NewStructural(internal.OpenAPIV3Schema)
	if err != nil {
		return nil, fmt.Errorf("CRD %s version %s: the schema is not structural: %w", served.Name, version, err)
	}
	// As the API server: work on a copy, and drop the parts of defaults that pruning would drop.
	structural = structural.DeepCopy()
	if err := structuraldefaulting.PruneDefaults(structural); err != nil {
		return nil, fmt.Errorf("CRD %s version %s: %w", served.Name, version, err)
	}
	schemaValidator, _, err := apiservervalidation.NewSchemaValidator(internal.OpenAPIV3Schema)
	if err != nil {
		return nil, fmt.Errorf("CRD %s version %s: %w", served.Name, version, err)
	}
	subresources, err := apihelpers.GetSubresourcesForVersion(served, version)
	if err != nil {
		return nil, err
	}
	return &Validator{
		gvk:               schema.GroupVersionKind{Group: served.Spec.Group, Version: version, Kind: served.Spec.Names.Kind},
		structural:        structural,
		schema:            schemaValidator,
		cel:               cel.NewValidator(structural, true, celconfig.PerCallLimit),
		statusSubresource: subresources != nil && subresources.Status != nil,
	}, nil
}

// GroupVersionKind is the kind of the objects the validator checks.
func (v *Validator) GroupVersionKind() schema.GroupVersionKind {
	return v.gvk
}

// Create returns the error the API server would answer to the creation of obj, or nil when it would
// accept it. Like the API server, it first turns obj in place into the object it would store: unknown
// fields and nulls of non-nullable fields pruned, schema defaults applied, status dropped when the
// CRD has a status subresource. Unknown fields give a BadRequest error ("strict decoding error"),
// every other rejection an Invalid error listing the field errors.
func (v *Validator) Create(ctx context.Context, obj map[string]any) error {
	if err := v.decode(obj); err != nil {
		return err
	}
	if v.statusSubresource {
		delete(obj, "status")
	}
	if errs := v.validateTypeMeta(obj); len(errs) > 0 {
		return v.invalid(obj, errs)
	}
	errs := apiservervalidation.ValidateCustomResource(nil, obj, v.schema)
	errs = append(errs, listtype.ValidateListSetsAndMaps(nil, v.structural, obj)...)
	errs = append(errs, v.validateCEL(ctx, errs, obj, nil)...)
	return v.invalid(obj, errs)
}

// Update returns the error the API server would answer to the update of old into obj, or nil when it
// would accept it. old must be an object as the API server stored it: one that Create or Update
// accepted (they change their argument into the stored form). obj is changed in place like in
// Create, except that status keeps its old value when the CRD has a status subresource. Schema
// errors in parts of obj that equal old are ignored (validation ratcheting, always on since
// Kubernetes 1.33), and CEL transition rules see old as oldSelf.
func (v *Validator) Update(ctx context.Context, obj, old map[string]any) error {
	if old == nil {
		return errors.New("update without an old object")
	}
	if err := v.decode(obj); err != nil {
		return err
	}
	if v.statusSubresource {
		if status, ok := old["status"]; ok {
			obj["status"] = runtime.DeepCopyJSONValue(status)
		} else {
			delete(obj, "status")
		}
	}
	if errs := v.validateTypeMeta(obj); len(errs) > 0 {
		return v.invalid(obj, errs)
	}
	correlated := celcommon.NewCorrelatedObject(obj, old, &model.Structural{Structural: v.structural})
	errs := apiservervalidation.ValidateCustomResourceUpdate(nil, obj, old, v.schema, apiservervalidation.WithRatcheting(correlated))
	// List-type invariants ratchet as a whole: they are checked only if the old object met them.
	if oldErrs := listtype.ValidateListSetsAndMaps(nil, v.structural, old); len(oldErrs) == 0 {
		errs = append(errs, listtype.ValidateListSetsAndMaps(nil, v.structural, obj)...)
	}
	errs = append(errs, v.validateCEL(ctx, errs, obj, old, cel.WithRatcheting(correlated))...)
	return v.invalid(obj, errs)
}

// decode does to obj what the API server's decoder does to a request body: prune, with unknown
// fields as errors under strict field validation, drop nulls the schema does not allow, and default.
func (v *Validator) decode(obj map[string]any) error {
	unknown := structuralpruning.PruneWithOptions(obj, v.structural, true,
		structuralschema.UnknownFieldPathOptions{TrackUnknownFieldPaths: true})
	structuraldefaulting.PruneNonNullableNullsWithoutDefaults(obj, v.structural)
	if len(unknown) > 0 {
		sort.Strings(unknown)
		errs := make([]error, len(unknown))
		for i, path := range unknown {
			errs[i] = fmt.Errorf("unknown field %q", path)
		}
		kind := v.gvk.Kind
		return apierrors.NewBadRequest(fmt.Sprintf("%s in version %q cannot be handled as a %s: %v",
			kind, v.gvk.Version, kind, runtime.NewStrictDecodingError(errs)))
	}
	structuraldefaulting.Default(obj, v.structural)
	return nil
}

// validateTypeMeta rejects an object of another kind or version, as the API server does before any
// other check.
func (v *Validator) validateTypeMeta(obj map[string]any) field.ErrorList {
	var errs field.ErrorList
	if kind, _ := obj["kind"].(string); kind != v.gvk.Kind {
		errs = append(errs, field.Invalid(field.NewPath("kind"), obj["kind"], "must be "+v.gvk.Kind))
	}
	if apiVersion, _ := obj["apiVersion"].(string); apiVersion != v.gvk.GroupVersion().String() {
		errs = append(errs, field.Invalid(field.NewPath("apiVersion"), obj["apiVersion"], "must be "+v.gvk.GroupVersion().String()))
	}
	return errs
}

// validateCEL evaluates the x-kubernetes-validations rules, unless errs already holds an error that
// makes the API server skip them (a missing, mistyped or out-of-bounds value that rules might
// dereference).
func (v *Validator) validateCEL(ctx context.Context, errs field.ErrorList, obj, old map[string]any, opts ...cel.Option) field.ErrorList {
	for _, e := range errs {
		switch e.Type {
		case field.ErrorTypeNotSupported, field.ErrorTypeRequired, field.ErrorTypeTooLong,
			field.ErrorTypeTooMany, field.ErrorTypeTypeInvalid:
			return field.ErrorList{field.Invalid(nil, nil,
				"some validation rules were not checked because the object was invalid; correct the existing errors to complete validation")}
		}
	}
	var oldObj any
	if old != nil {
		oldObj = old // a nil map in an interface would not be nil for the CEL validator
	}
	celErrs, _ := v.cel.Validate(ctx, nil, v.structural, obj, oldObj, celconfig.RuntimeCELCostBudget, opts...)
	return celErrs
}

// invalid returns the API server's answer to field errors, or nil without any.
func (v *Validator) invalid(obj map[string]any, errs field.ErrorList) error {
	if len(errs) == 0 {
		return nil
	}
	var name string
	if metadata, ok := obj["metadata"].(map[string]any); ok {
		name, _ = metadata["name"].(string)
	}
	return apierrors.NewInvalid(v.gvk.GroupKind(), name, errs)
}

// A Set holds a validator for every served version of a group of CRDs.
type Set struct {
	validators map[schema.GroupVersionKind]*Validator
}

// NewSet builds the validators of every served version of crds. Two CRDs serving the same kind and
// version are an error: the API server would refuse the names of the second.
func NewSet(crds []*CRD) (*Set, error) {
	s := &Set{validators: map[schema.GroupVersionKind]*Validator{}}
	for _, crd := range crds {
		for _, version := range crd.served.Spec.Versions {
			if !version.Served {
				continue
			}
			v, err := crd.Validator(version.Name)
			if err != nil {
				return nil, err
			}
			if _, dup := s.validators[v.gvk]; dup {
				return nil, fmt.Errorf("two CRDs serve %s", v.gvk)
			}
			s.validators[v.gvk] = v
		}
	}
	return s, nil
}

// For returns the validator of obj's apiVersion and kind, and false when no CRD of the set serves
// them (a Secret, say).
func (s *Set) For(obj map[string]any) (*Validator, bool) {
	apiVersion, _ := obj["apiVersion"].(string)
	kind, _ := obj["kind"].(string)
	gv, err := schema.ParseGroupVersion(apiVersion)
	if err != nil {
		return nil, false
	}
	v, ok := s.validators[gv.WithKind(kind)]
	return v, ok
}

// A Store stands for the API server's storage when objects are applied one after the other, as
// `kubectl apply` applies the documents of a file: an object whose kind, namespace and name were
// accepted before is checked as an update of the stored one, any other as a create.
type Store struct {
	set     *Set
	objects map[objectKey]map[string]any
}

// objectKey identifies an object in a Store, across versions of its kind.
type objectKey struct {
	groupKind       schema.GroupKind
	namespace, name string
}

// NewStore returns an empty Store whose objects are checked with the validators of set.
func NewStore(set *Set) *Store {
	return &Store{set: set, objects: map[objectKey]map[string]any{}}
}

// Apply checks obj as a create, or as an update of the stored object of the same kind, namespace and
// name, and stores it when it is accepted. obj is changed in place into the stored form. It returns
// an error for an object of a kind no CRD of the set serves.
func (s *Store) Apply(ctx context.Context, obj map[string]any) error {
	v, ok := s.set.For(obj)
	if !ok {
		return fmt.Errorf("no CRD serves apiVersion %v kind %v", obj["apiVersion"], obj["kind"])
	}
	key := objectKey{groupKind: v.gvk.GroupKind()}
	if metadata, ok := obj["metadata"].(map[string]any); ok {
		key.namespace, _ = metadata["namespace"].(string)
		key.name, _ = metadata["name"].(string)
	}
	var err error
	if old, ok := s.objects[key]; ok {
		err = v.Update(ctx, obj, old)
	} else {
		err = v.Create(ctx, obj)
	}
	if err != nil {
		return err
	}
	s.objects[key] = obj
	return nil
}

// SplitYAML decodes a stream of YAML (or JSON) documents into objects, skipping empty documents and
// expanding the items of a `kind: List` document, as kubectl does. Like the API server, it decodes
// integers as int64 and other numbers as float64.
func SplitYAML(data []byte) ([]map[string]any, error) {
	reader := utilyaml.NewYAMLReader(bufio.NewReader(bytes.NewReader(data)))
	var objs []map[string]any
	for n := 1; ; n++ {
		doc, err := reader.Read()
		if errors.Is(err, io.EOF) {
			return objs, nil
		}
		if err != nil {
			return nil, fmt.Errorf("document %d: %w", n, err)
		}
		js, err := yaml.YAMLToJSON(doc)
		if err != nil {
			return nil, fmt.Errorf("document %d: %w", n, err)
		}
		var obj map[string]any
		if err := utiljson.Unmarshal(js, &obj); err != nil {
			return nil, fmt.Errorf("document %d is not an object: %w", n, err)
		}
		if obj == nil {
			continue // only comments, or nothing
		}
		if obj["kind"] != "List" {
			objs = append(objs, obj)
			continue
		}
		items, ok := obj["items"].([]any)
		if !ok && obj["items"] != nil {
			return nil, fmt.Errorf("document %d: the items of a List must be a list", n)
		}
		for i, item := range items {
			itemObj, ok := item.(map[string]any)
			if !ok {
				return nil, fmt.Errorf("document %d: item %d of the List is not an object", n, i)
			}
			objs = append(objs, itemObj)
		}
	}
}

package external

import (
	"context"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/threescale-oss/operator/pkg/capabilities/planning"
	"github.com/threescale-oss/operator/pkg/threescale"
)

// A Kind is what one capability kind tells the loop about itself. It holds no logic of the loop:
// the loop owns ownership (create-pending mark, recorded ID, adoption, conflicts), the finalizer,
// the deletion policy, executing plans, conditions, events and the one status patch.
type Kind[T client.Object] interface {
	// New returns an empty object of the kind.
	New() T
	// NewList returns an empty list of the kind, to find the objects that claim an entity.
	NewList() client.ObjectList
	// Finalizer is the finalizer that keeps the object until its 3scale entity is deleted. Kinds
	// use the name of the 3scale operator that Red Hat ships, so that objects it created are
	// released by this one.
	Finalizer() string
	// Conditions is the kind's condition set.
	Conditions() ConditionSet
	// Status returns the status fields of obj that the loop sets.
	Status(obj T) Status
	// Check validates obj and resolves its references to other Kubernetes objects, without
	// calling 3scale, so that an invalid spec writes nothing: an *InvalidError for a spec that
	// cannot work, a *WaitingError for a reference that does not exist yet.
	Check(ctx context.Context, obj T) error
	// Connector connects obj to where its entity lives.
	Connector[T]
}

// A DependentsDeleter is a Kind whose objects own other Kubernetes objects by reference (a
// DeveloperAccount its DeveloperUsers): when an object is deleted with its entity (not when the
// deletion policy orphans it), whether or not it recorded one, the loop calls DeleteDependents
// before it removes the finalizer, and tries again while it fails.
type DependentsDeleter[T client.Object] interface {
	DeleteDependents(ctx context.Context, obj T) error
}

// A Connector returns the External of one object: the tenant resolution of the admin API
// (TenantConnector) by default; a kind that talks to the master API, or that produces Kubernetes
// objects, brings its own.
type Connector[T client.Object] interface {
	Connect(ctx context.Context, obj T) (External[T], error)
}

// An External mirrors one object into one place (a 3scale tenant, the master account). Connect
// makes one per reconcile; it may keep what Observe read for Create and later calls.
//
// The loop decides which entity the object manages; the External never looks an entity up by its
// natural key on its own, so that it can never change or delete an entity it was not given.
type External[T client.Object] interface {
	// Location identifies where the entities live (a tenant's admin URL): IDs are recorded, and
	// claims compared, per location.
	Location() string
	// Client is the 3scale client the operations of a plan run with; nil for kinds whose
	// operations do not call 3scale.
	Client() *threescale.Client
	// Find returns the ID of the entity whose natural key (system name, or the kind's unique
	// key) is obj's, 0 when there is none. It never writes.
	Find(ctx context.Context, obj T) (int64, error)
	// Observe reads the entity with ID id (never 0) and plans what makes it as obj's spec says.
	// An entity that does not exist is Exists false, not an error. It never writes; it may record
	// what it read in obj's status (in memory).
	Observe(ctx context.Context, obj T, id int64) (Observation, error)
	// Create creates the entity and returns its ID. The loop marks obj create-pending first and
	// records the ID after, so a crash in between never makes a duplicate.
	Create(ctx context.Context, obj T) (int64, error)
	// Delete deletes the entity with ID id. An entity already gone is not an error. A deletion
	// that must wait for something else returns a *WaitingError naming it.
	Delete(ctx context.Context, obj T, id int64) error
}

// An Observation is what External.Observe found, and what executing its plan would change.
type Observation struct {
	// Exists is true when the entity exists.
	Exists bool
	// Operations are the writes that make the entity as the spec says, in order; none when up
	// to date. Each is small and named: its description goes into events.
	Operations []planning.Operation
	// Warnings say where the spec cannot mean what it says (a value 3scale stores otherwise).
	// They are reported in a Warning event when the plan runs, never fail the sync.
	Warnings []string
}

// UpToDate tells whether there is nothing to execute.
func (o Observation) UpToDate() bool { return len(o.Operations) == 0 }

// Status points at the status fields the loop owns. A field the kind lacks is nil, and the loop
// leaves it alone.
type Status struct {
	// Conditions are the object's conditions. Required.
	Conditions *[]metav1.Condition
	// ObservedGeneration is status.observedGeneration. Required.
	ObservedGeneration *int64
	// ID is the 3scale ID of the entity the object manages (productId, backendId...). A kind
	// without one configures an entity another object manages (ApplicationAuth): Find names it
	// on every pass without an Adopted event, and deletion deletes nothing.
	ID **int64
	// NumberID is, for a kind whose status holds the ID as a plain number (0 when none, as
	// Tenant's tenantId), that number; set ID or NumberID, not both.
	NumberID *int64
	// Location is where the entity was last synced (providerAccountHost).
	Location *string
}

// recordedID returns the ID st records for location, else 0: an ID recorded for another tenant
// means nothing in this one.
func (st Status) recordedID(location string) int64 {
	host := ""
	if st.Location != nil {
		host = *st.Location
	}
	return KnownID(st.current(), host, location)
}

// current returns the ID st records, wherever it lives, nil when none.
func (st Status) current() *int64 {
	switch {
	case st.ID != nil:
		return *st.ID
	case st.NumberID != nil && *st.NumberID != 0:
		id := *st.NumberID
		return &id
	}
	return nil
}

// setID records id (0 clears it) and where it lives.
func (st Status) setID(id int64, location string) {
	if st.ID != nil {
		if id == 0 {
			*st.ID = nil
		} else {
			*st.ID = &id
		}
	}
	if st.NumberID != nil {
		*st.NumberID = id
	}
	if st.Location != nil && id != 0 {
		*st.Location = location
	}
}

// InTenant is the part of an External that a kind living in one tenant's Account Management API
// shares with every other such kind: where its entities live and the client its plans run with.
// Kinds embed it.
type InTenant struct {
	// C is the tenant's 3scale client.
	C *threescale.Client
}

// Location returns the tenant's admin URL.
func (t InTenant) Location() string { return t.C.AdminURL() }

// Client returns the tenant's client.
func (t InTenant) Client() *threescale.Client { return t.C }

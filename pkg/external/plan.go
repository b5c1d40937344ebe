package external

import (
	"context"
	"errors"

	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/threescale-oss/operator/pkg/capabilities/planning"
)

// A Planned object is what a sync of it would do, as one pass of the loop would decide it, with
// no write anywhere: the plan (dry run) of `kubectl-threescale plan`.
type Planned struct {
	// Action is ActionCreate, ActionUpdate, ActionNone, or ActionWait, ActionInvalid, ActionError
	// when the object cannot sync now (Message says why).
	Action string `json:"action"`
	// ID is the 3scale entity the object manages, or would adopt; 0 when it would create one.
	ID int64 `json:"id,omitempty"`
	// Location is the admin URL of the object's tenant.
	Location string `json:"location,omitempty"`
	// Operations are the writes the sync would make, in order.
	Operations []planning.Operation `json:"-"`
	// Message explains ActionWait, ActionInvalid and ActionError.
	Message string `json:"message,omitempty"`
}

// Actions of a Planned object.
const (
	ActionCreate  = "create"
	ActionUpdate  = "update"
	ActionNone    = "none"
	ActionWait    = "wait"
	ActionInvalid = "invalid"
	ActionError   = "error"
)

// PlanObject plans obj with kind's Check, Connect, Find and Observe, as the loop's pass does
// (the entity its status records, else the one with its natural key), running no operation and
// creating nothing. An entity to create is planned as its creation only: what follows it depends
// on the IDs 3scale gives.
func PlanObject[T client.Object](ctx context.Context, kind Kind[T], obj T) Planned {
	fail := func(err error) Planned {
		p := Planned{Action: ActionError, Message: err.Error()}
		switch Classify(err) {
		case Waiting:
			p.Action = ActionWait
		case Invalid, Rejected:
			p.Action = ActionInvalid
		}
		return p
	}
	if err := kind.Check(ctx, obj); err != nil {
		return fail(err)
	}
	ext, err := kind.Connect(ctx, obj)
	if err != nil {
		return fail(err)
	}
	location := ext.Location()
	st := kind.Status(obj)
	id := st.recordedID(location)
	var obs Observation
	if id != 0 {
		if obs, err = ext.Observe(ctx, obj, id); err != nil {
			return fail(err)
		}
		if !obs.Exists {
			id = 0 // deleted behind the operator's back: found by key, or made again
		}
	}
	if id == 0 {
		if id, err = ext.Find(ctx, obj); err != nil {
			return fail(err)
		}
		if id == 0 {
			return Planned{Action: ActionCreate, Location: location}
		}
		if obs, err = ext.Observe(ctx, obj, id); err != nil {
			return fail(err)
		}
		if !obs.Exists {
			return fail(errors.New("the entity found by its natural key vanished while it was observed"))
		}
	}
	p := Planned{Action: ActionNone, ID: id, Location: location, Operations: obs.Operations}
	if !obs.UpToDate() {
		p.Action = ActionUpdate
	}
	return p
}

// AssumeSynced records in obj's status (in memory) what a sync that found planned's entity
// would record: its ID and tenant, and the conditions of a synced object. The plan of manifest
// files, which have no status, uses it so that an object planned after one it depends on (a
// Product after its Backends, a DeveloperUser after its DeveloperAccount) plans against it as
// the operator would once it synced. It does nothing for an entity not found (planned.ID 0).
func AssumeSynced[T client.Object](kind Kind[T], obj T, planned Planned) {
	if planned.ID == 0 {
		return
	}
	st := kind.Status(obj)
	st.setID(planned.ID, planned.Location)
	*st.ObservedGeneration = obj.GetGeneration()
	setConditions(st.Conditions, obj.GetGeneration(), outcome{synced: true}, kind.Conditions())
}

package inmemory

import (
	"time"
)

// AnyOperation is the operation key of InjectFault that matches every operation.
const AnyOperation = "*"

// Fault is a misbehaviour injected into requests of one operation (or of every operation, with
// the key "*"). Faults act before authentication, like a slow or failing gateway in front of
// 3scale.
type Fault struct {
	// Latency is added to the request before it is answered.
	Latency time.Duration
	// ErrorRate is the probability (0 to 1) that a request is answered with Status instead of
	// being served. 0 with a non-zero Status means every request.
	ErrorRate float64
	// Status is the error status to answer; 500 when ErrorRate is set and Status is not.
	Status int
	// RetryAfter is sent as the Retry-After header (whole seconds, rounded up) of injected
	// errors; a 429 without it says 1.
	RetryAfter time.Duration
	// Hang makes every request wait, without an answer, until the client gives up or the server
	// closes.
	Hang bool
	// HangRate is the probability (0 to 1) that a request hangs as Hang says, so that a test can
	// say "5% of calls hang"; leave Hang false with it. It is drawn first: the requests it spares
	// meet ErrorRate and Status (or are served), and no request both hangs and errs.
	HangRate float64
	// Count is how many requests the fault acts on before it disappears; 0 means forever.
	// Requests that ErrorRate and HangRate spare are not counted.
	Count int
}

// InjectFault makes requests of op ("GET /admin/api/services.json", or "*" for every
// operation) misbehave as f says, replacing an earlier fault of op. A fault of the operation
// itself takes precedence over the "*" fault.
func (s *Server) InjectFault(op string, f Fault) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.faults[op] = &f
}

// ClearFaults removes every injected fault.
func (s *Server) ClearFaults() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.faults = map[string]*Fault{}
}

// Call is one request the server received.
type Call struct {
	// Op is the operation key, "" for a request that matched no operation.
	Op string
	// Method and Path are the request's, without the query (which may hold a token).
	Method, Path string
	// Tenant is the ID of the provider account whose listener received the request.
	Tenant int64
	// Status is the status answered; 0 while the request is in progress, or when the client
	// went away before an answer.
	Status int
}

// Calls returns the requests received since the start or the last ResetCalls, in the order
// they arrived.
func (s *Server) Calls() []Call {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Call(nil), s.calls...)
}

// CallCount returns how many requests of op arrived since the start or the last ResetCalls;
// "*" counts every request.
func (s *Server) CallCount(op string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	if op == AnyOperation {
		return len(s.calls)
	}
	return s.counts[op]
}

// ResetCalls forgets the requests received so far.
func (s *Server) ResetCalls() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.calls = nil
	s.counts = map[string]int{}
	s.callGen++
}

// callRef finds a logged call again to record its status, unless the log was reset since.
type callRef struct {
	gen   uint64
	index int
}

// logCall records the arrival of a request.
func (s *Server) logCall(c Call) callRef {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.calls = append(s.calls, c)
	s.counts[c.Op]++
	return callRef{gen: s.callGen, index: len(s.calls) - 1}
}

// setCallStatus records the status answered to a logged request.
func (s *Server) setCallStatus(ref callRef, status int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if ref.gen == s.callGen && ref.index < len(s.calls) {
		s.calls[ref.index].Status = status
	}
}

// faultAction is what a fault decided for one request.
type faultAction struct {
	latency    time.Duration
	hang       bool
	status     int
	retryAfter time.Duration
}

// takeFault decides what the fault of op, if any, does to one request, and uses up one of its
// Count.
func (s *Server) takeFault(op string) faultAction {
	s.mu.Lock()
	defer s.mu.Unlock()
	key := op
	f, ok := s.faults[op]
	if !ok {
		key = AnyOperation
		f, ok = s.faults[AnyOperation]
	}
	if !ok {
		return faultAction{}
	}
	a := faultAction{latency: f.Latency, hang: f.Hang}
	if !a.hang && f.HangRate > 0 {
		a.hang = s.rng.Float64() < f.HangRate
	}
	if !a.hang {
		switch {
		case f.ErrorRate > 0:
			if s.rng.Float64() < f.ErrorRate {
				a.status = f.Status
				if a.status == 0 {
					a.status = 500
				}
			}
		case f.Status != 0:
			a.status = f.Status
		}
	}
	drawn := f.ErrorRate > 0 || f.HangRate > 0
	if drawn && !a.hang && a.status == 0 && a.latency == 0 {
		return faultAction{} // spared, and nothing else to do: not counted
	}
	if a.status != 0 {
		a.retryAfter = f.RetryAfter
		if a.status == 429 && a.retryAfter <= 0 {
			a.retryAfter = time.Second
		}
	}
	if f.Count > 0 {
		f.Count--
		if f.Count == 0 {
			delete(s.faults, key)
		}
	}
	return a
}

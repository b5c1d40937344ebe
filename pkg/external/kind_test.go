package external

import "testing"

// A kind whose status holds its ID as a plain number (0 when none) records, reads and clears it
// as a kind with a pointer does.
func TestStatusNumberID(t *testing.T) {
	var n int64
	st := Status{NumberID: &n}
	if got := st.recordedID("http://master"); got != 0 {
		t.Fatalf("recorded before set: %d", got)
	}
	st.setID(7, "http://master")
	if n != 7 || st.recordedID("http://master") != 7 || st.current() == nil {
		t.Fatalf("after setID(7): n=%d recorded=%d", n, st.recordedID("http://master"))
	}
	st.setID(0, "http://master")
	if n != 0 || st.current() != nil {
		t.Fatalf("after setID(0): n=%d", n)
	}
}

package inmemory

import (
	"crypto/rand"
	"encoding/hex"
	"regexp"
	"strings"
	"sync"
	"time"
	"unicode"

	"golang.org/x/text/unicode/norm"
)

// store holds every entity of every account. One mutex guards all of it: the handlers are
// fast and in memory, and one lock makes each operation atomic the way a database transaction
// makes it atomic in 3scale.
type store struct {
	mu     sync.Mutex
	nextID int64
	// tokens maps an access token to the provider account it belongs to.
	tokens   map[string]int64
	accounts map[int64]*account
	master   *account
	// now is the clock, replaceable in tests.
	now func() time.Time
}

func newStore() *store {
	st := &store{
		nextID:   1,
		tokens:   map[string]int64{},
		accounts: map[int64]*account{},
		now:      func() time.Time { return time.Now().UTC().Truncate(time.Second) },
	}
	m := st.newAccount("Master Account", true)
	m.State = "approved"
	st.master = m
	return st
}

// id hands out the next ID. IDs are unique across every kind of entity, which makes a client
// that confuses, say, a product ID with a backend ID fail loudly with a 404.
func (st *store) id() int64 {
	id := st.nextID
	st.nextID++
	return id
}

// timestamp is the current time in the format 3scale renders.
func (st *store) timestamp() string { return st.now().Format(time.RFC3339) }

// newAccount stores a provider account with an admin access token.
func (st *store) newAccount(orgName string, master bool) *account {
	a := &account{
		ID:           st.id(),
		OrgName:      orgName,
		Master:       master,
		State:        "approved",
		services:     map[int64]*service{},
		metrics:      map[int64]*metric{},
		backends:     map[int64]*backend{},
		usages:       map[int64]*backendUsage{},
		mappingRules: map[int64]*mappingRule{},
		policies:     map[int64]*policy{},
		plans:        map[int64]*appPlan{},
		limits:       map[int64]*limit{},
		pricingRules: map[int64]*pricingRule{},
		applications: map[int64]*application{},
		activeDocs:   map[int64]*activeDoc{},
		buyers:       map[int64]*buyer{},
		users:        map[int64]*user{},
	}
	a.CreatedAt = st.timestamp()
	a.UpdatedAt = a.CreatedAt
	a.adminToken = randomHex(32)
	a.adminTokenID = st.id()
	if !master {
		a.providerKey = randomHex(16)
		a.providerAppID = st.id()
	}
	st.tokens[a.adminToken] = a.ID
	st.accounts[a.ID] = a
	return a
}

// authenticate returns the provider account that listener account id serves, if token is one
// of its tokens or its provider key. A token of another account is refused, as 3scale looks tokens up only in the
// account of the domain the request came to.
func (st *store) authenticate(id int64, token string) *account {
	if token == "" {
		return nil
	}
	a := st.accounts[id]
	if owner, ok := st.tokens[token]; (!ok || owner != id) && (a == nil || a.providerKey == "" || a.providerKey != token) {
		return nil
	}
	if a == nil || a.State == stateScheduledForDeletion {
		return nil
	}
	return a
}

// account is a provider account: the master account or a tenant, with everything it owns.
type account struct {
	ID          int64  `json:"id"`
	OrgName     string `json:"org_name"`
	State       string `json:"state"`
	AdminDomain string `json:"admin_domain"`
	Domain      string `json:"domain"`
	CreatedAt   string `json:"created_at"`
	UpdatedAt   string `json:"updated_at"`
	Master      bool   `json:"-"`

	provider     providerFields
	deletionDate string
	annotations  map[string]string
	adminToken   string
	adminTokenID int64
	// providerKey authenticates as the account on its admin domain; it is the user key of the
	// account's application (providerAppID) in the master account.
	providerKey   string
	providerAppID int64
	services      map[int64]*service
	// metrics holds the metrics and methods of the account's products and backends.
	metrics  map[int64]*metric
	backends map[int64]*backend
	usages   map[int64]*backendUsage
	// mappingRules holds the mapping rules of the account's products and backends.
	mappingRules map[int64]*mappingRule
	// policies is the account's Policy Registry.
	policies     map[int64]*policy
	plans        map[int64]*appPlan
	limits       map[int64]*limit
	pricingRules map[int64]*pricingRule
	applications map[int64]*application
	activeDocs   map[int64]*activeDoc
	buyers       map[int64]*buyer
	// users holds the users of every developer account of the provider.
	users map[int64]*user
}

// randomHex returns n random bytes in hex, the shape of 3scale's tokens and keys.
func randomHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b) // crypto/rand.Read never fails on supported platforms
	return hex.EncodeToString(b)
}

var (
	nonWord        = regexp.MustCompile(`[^a-z0-9_\-]+`)
	repeatedSep    = regexp.MustCompile(`-{2,}`)
	validSystemRex = regexp.MustCompile(`^\w[\w\-/_]+$`)
)

// systemNameFrom derives a system name from a human name the way Rails' parameterize followed
// by underscore does: accents dropped, lower case, each run of other characters becomes one
// dash, no dash at either end, then dashes become underscores.
func systemNameFrom(name string) string {
	var b strings.Builder
	for _, r := range norm.NFD.String(name) {
		if unicode.Is(unicode.Mn, r) {
			continue // combining accent
		}
		b.WriteRune(unicode.ToLower(r))
	}
	s := nonWord.ReplaceAllString(b.String(), "-")
	s = repeatedSep.ReplaceAllString(s, "-")
	s = strings.Trim(s, "-")
	return strings.ReplaceAll(s, "-", "_")
}

// validSystemName reports whether s fits porta's system_name format.
func validSystemName(s string) bool { return validSystemRex.MatchString(s) }

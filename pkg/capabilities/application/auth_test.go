package application

import (
	"context"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	capabilitiesv1beta1 "github.com/threescale-oss/operator/api/capabilities/v1beta1"
	"github.com/threescale-oss/operator/pkg/capabilities/planning"
	"github.com/threescale-oss/operator/pkg/external"
	"github.com/threescale-oss/operator/pkg/threescale"
)

func TestPlanAuth(t *testing.T) {
	app := threescale.Application{ID: 9, UserKey: "old", ApplicationID: "appid"}
	cases := map[string]struct {
		reason   string
		mode     string
		secret   map[string]string
		keys     []string
		generate bool
		prune    bool
		ops      []string
		written  map[string]string
		invalid  string
		rejected string
	}{
		"UserKeyInSync": {
			reason: "a user key 3scale holds already needs no write",
			secret: map[string]string{"UserKey": "old"},
		},
		"UserKeyRotated": {
			reason: "another user key in the Secret is set in 3scale",
			mode:   capabilitiesv1beta1.AuthenticationModeUserKey, secret: map[string]string{"UserKey": "new"},
			ops: []string{"set the user key of application 9 from secret s"},
		},
		"UserKeyGenerated": {
			reason: "an empty user key with generateSecret is generated, written to the Secret first, then set",
			secret: map[string]string{"UserKey": ""}, generate: true,
			ops:     []string{"write a generated UserKey into secret s", "set the user key of application 9 from secret s"},
			written: map[string]string{"UserKey": "generated"},
		},
		"UserKeyMissing": {
			reason:  "an empty user key without generateSecret is Invalid, naming the Secret and key",
			secret:  map[string]string{},
			invalid: "secret s has no UserKey",
		},
		"AppKeyAdded": {
			reason: "an application key 3scale lacks is added; the others are left alone",
			mode:   capabilitiesv1beta1.AuthenticationModeAppKeyAppID, secret: map[string]string{"ApplicationKey": "k2"}, keys: []string{"k1"},
			ops: []string{"add the application key of secret s to application 9"},
		},
		"AppKeyInSync": {
			reason: "an application key among the application's needs no write",
			mode:   capabilitiesv1beta1.AuthenticationModeAppKeyAppID, secret: map[string]string{"ApplicationKey": "k2"}, keys: []string{"k1", "k2"},
		},
		"AppKeyGenerated": {
			reason: "a generated application key is written with the application ID",
			mode:   capabilitiesv1beta1.AuthenticationModeAppKeyAppID, secret: map[string]string{}, generate: true, keys: []string{"k1"},
			ops:     []string{"write a generated ApplicationKey into secret s", "add the application key of secret s to application 9"},
			written: map[string]string{"ApplicationKey": "generated", "ApplicationID": "appid"},
		},
		"AppKeyPruned": {
			reason: "with prune, the secret's key is added first, then the keys it does not hold are deleted",
			mode:   capabilitiesv1beta1.AuthenticationModeAppKeyAppID, secret: map[string]string{"ApplicationKey": "k2"}, keys: []string{"k1", "k0"}, prune: true,
			ops: []string{
				"add the application key of secret s to application 9",
				"delete an application key of application 9 that secret s does not hold",
				"delete an application key of application 9 that secret s does not hold",
			},
		},
		"AppKeyPrunedInSync": {
			reason: "with prune and the secret's key present, only the others are deleted",
			mode:   capabilitiesv1beta1.AuthenticationModeAppKeyAppID, secret: map[string]string{"ApplicationKey": "k2"}, keys: []string{"k2", "k1"}, prune: true,
			ops: []string{"delete an application key of application 9 that secret s does not hold"},
		},
		"AppKeyPruneFull": {
			reason: "with prune and five keys already, one is deleted first to make room, then the key added, then the rest deleted",
			mode:   capabilitiesv1beta1.AuthenticationModeAppKeyAppID, secret: map[string]string{"ApplicationKey": "k9"}, keys: []string{"k1", "k2", "k3", "k4", "k5"}, prune: true,
			ops: []string{
				"delete an application key of application 9 that secret s does not hold",
				"add the application key of secret s to application 9",
				"delete an application key of application 9 that secret s does not hold",
				"delete an application key of application 9 that secret s does not hold",
				"delete an application key of application 9 that secret s does not hold",
				"delete an application key of application 9 that secret s does not hold",
			},
		},
		"AppKeyFull": {
			reason: "without prune, an application with five keys cannot take the secret's: Rejected, naming the way out",
			mode:   capabilitiesv1beta1.AuthenticationModeAppKeyAppID, secret: map[string]string{"ApplicationKey": "k9"}, keys: []string{"k1", "k2", "k3", "k4", "k5"},
			rejected: "set spec.pruneApplicationKeys: true",
		},
		"UserKeyPruneIgnored": {
			reason: "prune concerns application keys only",
			secret: map[string]string{"UserKey": "old"}, prune: true,
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			data := map[string][]byte{}
			for k, v := range tc.secret {
				data[k] = []byte(v)
			}
			var written map[string]string
			ops, err := PlanAuth(AuthInput{
				Mode: tc.mode, AccountID: 1, App: app, Keys: tc.keys, Secret: data, SecretName: "s", Generate: tc.generate, Prune: tc.prune,
				NewKey:      func() (string, error) { return "generated", nil },
				WriteSecret: func(_ context.Context, v map[string]string) error { written = v; return nil },
			})
			if tc.invalid != "" {
				if external.Classify(err) != external.Invalid || !strings.Contains(err.Error(), tc.invalid) {
					t.Fatalf("%s: error %v, want Invalid with %q", tc.reason, err, tc.invalid)
				}
				return
			}
			if tc.rejected != "" {
				if external.Classify(err) != external.Rejected || !strings.Contains(err.Error(), tc.rejected) {
					t.Fatalf("%s: error %v, want Rejected with %q", tc.reason, err, tc.rejected)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if d := cmp.Diff(tc.ops, planning.Descriptions(ops), cmpopts.EquateEmpty()); d != "" {
				t.Errorf("%s: -want, +got:\n%s", tc.reason, d)
			}
			for _, op := range ops {
				if op.Entity == EntitySecret {
					if err := op.Run(context.Background(), nil); err != nil {
						t.Fatal(err)
					}
				}
				if strings.Contains(op.Description, "generated") && op.Entity != EntitySecret || strings.Contains(op.Description, "k2") {
					t.Errorf("%s: a description holds a key: %q", tc.reason, op.Description)
				}
			}
			if d := cmp.Diff(tc.written, written); d != "" {
				t.Errorf("%s: written to the Secret, -want, +got:\n%s", tc.reason, d)
			}
		})
	}
}

func TestRandomKey(t *testing.T) {
	a, err := randomKey()
	if err != nil {
		t.Fatal(err)
	}
	b, _ := randomKey()
	if len(a) != 32 || a == b {
		t.Errorf("keys %q, %q", a, b)
	}
}

package document

import (
	"context"
	"encoding/pem"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/threescale-oss/operator/pkg/external"
)

// caPEM returns the PEM of the certificate srv (an httptest TLS server) serves, which is its own CA.
func caPEM(srv *httptest.Server) []byte {
	return pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: srv.Certificate().Raw})
}

func newFetcher(t *testing.T, opts ...FetcherOption) *Fetcher {
	t.Helper()
	f, err := NewFetcher(opts...)
	if err != nil {
		t.Fatal(err)
	}
	return f
}

// docServer serves body with an ETag derived from it, answering 304 to a matching If-None-Match,
// and counts the full answers (200) and the conditional ones (304).
type docServer struct {
	body          atomic.Value // string
	full, notMod  atomic.Int32
	lastModified  bool         // use Last-Modified instead of ETag
	modifiedSince atomic.Int64 // Unix seconds: HTTP dates have no finer precision
}

func (d *docServer) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body := d.body.Load().(string)
	if d.lastModified {
		modified := time.Unix(d.modifiedSince.Load(), 0)
		w.Header().Set("Last-Modified", modified.UTC().Format(http.TimeFormat))
		if ims, err := http.ParseTime(r.Header.Get("If-Modified-Since")); err == nil && !modified.After(ims) {
			d.notMod.Add(1)
			w.WriteHeader(http.StatusNotModified)
			return
		}
	} else {
		etag := fmt.Sprintf(`"%s"`, Hash([]byte(body))[7:19])
		w.Header().Set("ETag", etag)
		if r.Header.Get("If-None-Match") == etag {
			d.notMod.Add(1)
			w.WriteHeader(http.StatusNotModified)
			return
		}
	}
	d.full.Add(1)
	w.Header().Set("Content-Type", "application/json")
	_, _ = w.Write([]byte(body))
}

func TestFetchTLSWithCABundle(t *testing.T) {
	d := &docServer{}
	d.body.Store(`{"openapi":"3.0.0"}`)
	srv := httptest.NewTLSServer(d)
	defer srv.Close()

	got, err := newFetcher(t, WithCABundle(caPEM(srv))).Fetch(context.Background(), srv.URL+"/doc.json")
	if err != nil || string(got.Content) != `{"openapi":"3.0.0"}` || got.NotModified {
		t.Fatalf("Fetch with the CA = %q, %v", got.Content, err)
	}

	_, err = newFetcher(t).Fetch(context.Background(), srv.URL+"/doc.json")
	if external.Classify(err) != external.Rejected || !strings.Contains(err.Error(), CABundleEnvVar) {
		t.Errorf("Fetch without the CA: error %v (%s), want Rejected naming %s", err, external.Classify(err), CABundleEnvVar)
	}
}

func TestFetcherFromEnv(t *testing.T) {
	d := &docServer{}
	d.body.Store(`{}`)
	srv := httptest.NewTLSServer(d)
	defer srv.Close()
	path := filepath.Join(t.TempDir(), "ca.pem")
	if err := os.WriteFile(path, caPEM(srv), 0o600); err != nil {
		t.Fatal(err)
	}
	t.Setenv(CABundleEnvVar, path)
	f, err := FetcherFromEnv()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.Fetch(context.Background(), srv.URL); err != nil {
		t.Errorf("Fetch with the CA of %s: %v", CABundleEnvVar, err)
	}

	t.Setenv(CABundleEnvVar, filepath.Join(t.TempDir(), "missing.pem"))
	if _, err := FetcherFromEnv(); err == nil || !strings.Contains(err.Error(), CABundleEnvVar) {
		t.Errorf("FetcherFromEnv with a missing file: %v, want an error naming %s", err, CABundleEnvVar)
	}
}

func TestFetchConditional(t *testing.T) {
	for name, lastModified := range map[string]bool{"ETag": false, "LastModified": true} {
		t.Run(name, func(t *testing.T) {
			d := &docServer{lastModified: lastModified}
			d.modifiedSince.Store(time.Now().Add(-time.Hour).Unix())
			d.body.Store(`{"v":1}`)
			srv := httptest.NewServer(d)
			defer srv.Close()
			f := newFetcher(t)
			ctx := context.Background()

			first, err := f.Fetch(ctx, srv.URL)
			if err != nil || first.NotModified {
				t.Fatalf("first Fetch: %+v, %v", first, err)
			}
			again, err := f.Fetch(ctx, srv.URL)
			if err != nil || !again.NotModified || again.Hash != first.Hash || string(again.Content) != `{"v":1}` {
				t.Fatalf("unchanged Fetch = %+v, %v; want NotModified with the same content", again, err)
			}
			if d.full.Load() != 1 || d.notMod.Load() != 1 {
				t.Errorf("server answered %d full and %d not-modified, want 1 and 1", d.full.Load(), d.notMod.Load())
			}

			d.body.Store(`{"v":2}`)
			d.modifiedSince.Store(time.Now().Add(time.Minute).Unix())
			changed, err := f.Fetch(ctx, srv.URL)
			if err != nil || changed.NotModified || changed.Hash == first.Hash || string(changed.Content) != `{"v":2}` {
				t.Errorf("changed Fetch = %+v, %v; want the new content", changed, err)
			}
		})
	}
}

func TestFetchWithoutValidatorsIsPlain(t *testing.T) {
	var conditional atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("If-None-Match") != "" || r.Header.Get("If-Modified-Since") != "" {
			conditional.Add(1)
		}
		_, _ = w.Write([]byte(`{}`))
	}))
	defer srv.Close()
	f := newFetcher(t)
	for range 2 {
		if d, err := f.Fetch(context.Background(), srv.URL); err != nil || d.NotModified {
			t.Fatalf("Fetch = %+v, %v", d, err)
		}
	}
	if conditional.Load() != 0 {
		t.Errorf("%d conditional requests without validators to send", conditional.Load())
	}
}

func TestFetchSizeLimit(t *testing.T) {
	big := strings.Repeat("x", 2048)
	for name, chunked := range map[string]bool{"ContentLength": false, "Chunked": true} {
		t.Run(name, func(t *testing.T) {
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				if chunked {
					// Flushing before the end leaves the length unknown to the client.
					_, _ = w.Write([]byte(big[:10]))
					w.(http.Flusher).Flush()
					_, _ = w.Write([]byte(big[10:]))
					return
				}
				_, _ = w.Write([]byte(big))
			}))
			defer srv.Close()
			_, err := newFetcher(t, WithMaxBytes(1024)).Fetch(context.Background(), srv.URL)
			if external.Classify(err) != external.Rejected || !strings.Contains(err.Error(), "limit of 1 KiB") {
				t.Errorf("Fetch of 2 KiB with a 1 KiB limit: %v (%s), want Rejected naming the limit", err, external.Classify(err))
			}
			if d, err := newFetcher(t, WithMaxBytes(2048)).Fetch(context.Background(), srv.URL); err != nil || len(d.Content) != 2048 {
				t.Errorf("Fetch of 2 KiB with a 2 KiB limit: %d bytes, %v", len(d.Content), err)
			}
		})
	}
}

func TestFetchErrors(t *testing.T) {
	cases := map[string]struct {
		reason string
		status int
		body   string
		want   external.Class
	}{
		"NotFound":     {reason: "A 404 is a wrong URL, or a document not served yet: checked again at the poll interval.", status: 404, want: external.Rejected},
		"Forbidden":    {reason: "A 403 will not pass by retrying at once.", status: 403, want: external.Rejected},
		"ServerError":  {reason: "A 500 may pass: the queue backs off.", status: 500, want: external.Transient},
		"Unavailable":  {reason: "A 503 may pass.", status: 503, want: external.Transient},
		"TooMany":      {reason: "A 429 may pass.", status: 429, want: external.Transient},
		"EmptyBody":    {reason: "An empty document is not one.", status: 200, body: " \n", want: external.Rejected},
		"NoContent204": {reason: "A 204 has no document.", status: 204, want: external.Rejected},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				w.WriteHeader(tc.status)
				_, _ = w.Write([]byte(tc.body))
			}))
			defer srv.Close()
			_, err := newFetcher(t).Fetch(context.Background(), srv.URL+"/doc")
			if got := external.Classify(err); err == nil || got != tc.want {
				t.Errorf("%s\nFetch error %v is %s, want %s", tc.reason, err, got, tc.want)
			}
			if err != nil && !strings.Contains(err.Error(), srv.URL+"/doc") {
				t.Errorf("%s\nmessage %q does not name the URL", tc.reason, err)
			}
		})
	}
}

func TestFetchBadURLs(t *testing.T) {
	for name, u := range map[string]string{
		"Scheme": "ftp://example.com/doc.json",
		"NoHost": "http:///doc.json",
		"Parse":  "http://exa mple.com/%zz",
	} {
		t.Run(name, func(t *testing.T) {
			_, err := newFetcher(t).Fetch(context.Background(), u)
			if external.Classify(err) != external.Invalid {
				t.Errorf("Fetch(%q) error %v, want Invalid", u, err)
			}
		})
	}
}

func TestFetchNeverShowsThePassword(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(404) }))
	defer srv.Close()
	u := strings.Replace(srv.URL, "http://", "http://user:s3cret@", 1)
	_, err := newFetcher(t).Fetch(context.Background(), u)
	if err == nil || strings.Contains(err.Error(), "s3cret") {
		t.Errorf("error %v shows the password", err)
	}
	// An unreachable URL: the transport's message quotes the URL.
	srv.Close()
	_, err = newFetcher(t).Fetch(context.Background(), u)
	if external.Classify(err) != external.Transient || strings.Contains(err.Error(), "s3cret") {
		t.Errorf("unreachable: error %v (%s), want Transient without the password", err, external.Classify(err))
	}
}

func TestFetchTimeout(t *testing.T) {
	release := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-release:
		case <-r.Context().Done():
		}
	}))
	defer srv.Close()
	defer close(release)
	start := time.Now()
	_, err := newFetcher(t, WithTimeout(100*time.Millisecond)).Fetch(context.Background(), srv.URL)
	if external.Classify(err) != external.Transient || time.Since(start) > 5*time.Second {
		t.Errorf("hung server: error %v (%s) after %s, want Transient soon", err, external.Classify(err), time.Since(start))
	}
}

func TestFetchCacheIsBounded(t *testing.T) {
	d := &docServer{}
	d.body.Store(strings.Repeat("a", 600))
	srv := httptest.NewServer(d)
	defer srv.Close()
	f := newFetcher(t, WithCacheBytes(1000))
	ctx := context.Background()
	for _, p := range []string{"/one", "/two"} {
		if _, err := f.Fetch(ctx, srv.URL+p); err != nil {
			t.Fatal(err)
		}
	}
	// /one was evicted to hold /two: its next fetch is a full one; /two's is conditional.
	one, _ := f.Fetch(ctx, srv.URL+"/one")
	if one.NotModified || f.held > 1000 {
		t.Errorf("/one NotModified = %v, held %d bytes; want a full fetch within 1000 bytes", one.NotModified, f.held)
	}
	if len(f.cache) != 1 || f.lru.Len() != 1 {
		t.Errorf("cache holds %d entries (%d in LRU), want 1", len(f.cache), f.lru.Len())
	}
}

func TestFetchRefusesLinkLocal(t *testing.T) {
	for _, u := range []string{"http://169.254.169.254/latest/meta-data/", "http://[fe80::1]:80/doc.json"} {
		_, err := newFetcher(t, WithTimeout(5*time.Second)).Fetch(context.Background(), u)
		if external.Classify(err) != external.Invalid || !strings.Contains(err.Error(), "link-local") {
			t.Errorf("Fetch(%s) error %v (%s), want Invalid saying link-local", u, err, external.Classify(err))
		}
	}
}

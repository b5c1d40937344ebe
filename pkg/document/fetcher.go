package document

import (
	"bytes"
	"container/list"
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"sync"
	"syscall"
	"time"

	"github.com/threescale-oss/operator/pkg/external"

	"github.com/threescale-oss/operator/pkg/threescale"
)

// CABundleEnvVar names a PEM file of certificate authorities that the operator trusts, besides the
// system's, when it fetches documents from URLs (a document served inside the cluster with a
// cluster CA). The file is read once, at start.
const CABundleEnvVar = "OPENAPI_CA_BUNDLE_FILE"

// Defaults of a Fetcher.
const (
	// DefaultMaxBytes bounds one document: the largest public OpenAPI documents are a few MiB.
	DefaultMaxBytes = 10 << 20
	// DefaultTimeout bounds one fetch, body included.
	DefaultTimeout = 30 * time.Second
	// DefaultCacheBytes bounds the documents the Fetcher keeps for conditional requests; the
	// least recently used go first (their next fetch is a plain GET).
	DefaultCacheBytes = 64 << 20
)

// A Fetcher fetches documents from http(s) URLs. It remembers, per URL, the validators
// (ETag, Last-Modified) and the content of the last answer, and asks again conditionally, so
// that an unchanged document costs a 304. It is safe for concurrent use; make it with NewFetcher.
type Fetcher struct {
	client     *http.Client
	maxBytes   int64
	cacheBytes int64

	mu    sync.Mutex
	cache map[string]*list.Element // of *entry, most recently used first in lru
	lru   *list.List
	held  int64 // bytes of content in cache
}

// entry is what the Fetcher remembers of one URL.
type entry struct {
	url                string
	etag, lastModified string
	content            []byte
	hash               string
}

// A FetcherOption configures a Fetcher in NewFetcher.
type FetcherOption func(*fetcherConfig) error

type fetcherConfig struct {
	caBundle   []byte
	maxBytes   int64
	cacheBytes int64
	timeout    time.Duration
	transport  http.RoundTripper
}

// WithCABundle makes the Fetcher trust the PEM certificates of pem besides the system's roots.
func WithCABundle(pem []byte) FetcherOption {
	return func(c *fetcherConfig) error {
		if len(bytes.TrimSpace(pem)) == 0 {
			return errors.New("document: empty CA bundle")
		}
		c.caBundle = pem
		return nil
	}
}

// WithMaxBytes bounds the size of one document (DefaultMaxBytes by default).
func WithMaxBytes(n int64) FetcherOption {
	return func(c *fetcherConfig) error {
		if n < 1 {
			return fmt.Errorf("document: max bytes must be positive, got %d", n)
		}
		c.maxBytes = n
		return nil
	}
}

// WithCacheBytes bounds the content kept for conditional requests (DefaultCacheBytes by
// default); 0 keeps nothing, so that every fetch is a plain GET.
func WithCacheBytes(n int64) FetcherOption {
	return func(c *fetcherConfig) error {
		if n < 0 {
			return fmt.Errorf("document: negative cache bytes %d", n)
		}
		c.cacheBytes = n
		return nil
	}
}

// WithTimeout bounds one fetch (DefaultTimeout by default); the caller's context can only
// shorten it.
func WithTimeout(d time.Duration) FetcherOption {
	return func(c *fetcherConfig) error {
		if d <= 0 {
			return fmt.Errorf("document: timeout must be positive, got %s", d)
		}
		c.timeout = d
		return nil
	}
}

// WithTransport makes the Fetcher send requests through rt instead of a clone of
// http.DefaultTransport; WithCABundle cannot be combined with it.
func WithTransport(rt http.RoundTripper) FetcherOption {
	return func(c *fetcherConfig) error {
		if rt == nil {
			return errors.New("document: nil transport")
		}
		c.transport = rt
		return nil
	}
}

// NewFetcher returns a Fetcher with opts.
func NewFetcher(opts ...FetcherOption) (*Fetcher, error) {
	cfg := fetcherConfig{maxBytes: DefaultMaxBytes, cacheBytes: DefaultCacheBytes, timeout: DefaultTimeout}
	for _, o := range opts {
		if err := o(&cfg); err != nil {
			return nil, err
		}
	}
	rt := cfg.transport
	switch {
	case rt != nil && cfg.caBundle != nil:
		return nil, errors.New("document: a CA bundle cannot be added to a given transport")
	case rt == nil:
		t := http.DefaultTransport.(*http.Transport).Clone()
		dialer := &net.Dialer{Timeout: 30 * time.Second, KeepAlive: 30 * time.Second, Control: refuseLinkLocal}
		t.DialContext = dialer.DialContext
		if cfg.caBundle != nil {
			pool, ok := threescale.RootsWith(cfg.caBundle)
			if !ok {
				return nil, errors.New("document: the CA bundle holds no PEM certificate")
			}
			t.TLSClientConfig = &tls.Config{RootCAs: pool, MinVersion: tls.VersionTLS12}
		}
		rt = t
	}
	return &Fetcher{
		client:     &http.Client{Transport: rt, Timeout: cfg.timeout},
		maxBytes:   cfg.maxBytes,
		cacheBytes: cfg.cacheBytes,
		cache:      map[string]*list.Element{},
		lru:        list.New(),
	}, nil
}

// FetcherFromEnv returns a Fetcher that trusts the CA bundle of the file CABundleEnvVar names,
// when it is set, with opts.
func FetcherFromEnv(opts ...FetcherOption) (*Fetcher, error) {
	if path := os.Getenv(CABundleEnvVar); path != "" {
		pem, err := os.ReadFile(path)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", CABundleEnvVar, err)
		}
		opts = append([]FetcherOption{WithCABundle(pem)}, opts...)
	}
	f, err := NewFetcher(opts...)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", CABundleEnvVar, err)
	}
	return f, nil
}

// Fetch returns the document at rawURL. When the Fetcher remembers an answer of that URL, it asks
// conditionally, and a 304 returns the remembered content with NotModified set.
func (f *Fetcher) Fetch(ctx context.Context, rawURL string) (Document, error) {
	u, err := url.Parse(rawURL)
	switch {
	case err != nil:
		// The parser's message quotes the URL, which may hold a password: not repeated.
		return Document{}, external.Invalidf("document URL does not parse")
	case u.Scheme != "http" && u.Scheme != "https":
		return Document{}, external.Invalidf("document URL %s: only http and https are supported", u.Redacted())
	case u.Host == "":
		return Document{}, external.Invalidf("document URL %s has no host", u.Redacted())
	}
	shown := u.Redacted()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u.String(), nil)
	if err != nil {
		return Document{}, external.Invalidf("document URL %s: %v", shown, err)
	}
	req.Header.Set("Accept", "application/json, application/yaml, application/x-yaml, text/yaml, */*;q=0.5")
	cached := f.lookup(rawURL)
	if cached != nil {
		if cached.etag != "" {
			req.Header.Set("If-None-Match", cached.etag)
		}
		if cached.lastModified != "" {
			req.Header.Set("If-Modified-Since", cached.lastModified)
		}
	}
	resp, err := f.client.Do(req)
	if err != nil {
		return Document{}, f.transportError(shown, err)
	}
	defer func() { _ = resp.Body.Close() }()

	switch {
	case resp.StatusCode == http.StatusNotModified && cached != nil:
		_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 4<<10))
		return Document{Content: cached.content, Hash: cached.hash, Source: shown, NotModified: true}, nil
	case resp.StatusCode == http.StatusOK:
	default:
		return Document{}, statusError(shown, resp.StatusCode, resp.Status)
	}
	if resp.ContentLength > f.maxBytes {
		return Document{}, f.tooLarge(shown)
	}
	content, err := io.ReadAll(io.LimitReader(resp.Body, f.maxBytes+1))
	if err != nil {
		return Document{}, fmt.Errorf("cannot read the document at %s: %w", shown, err)
	}
	if int64(len(content)) > f.maxBytes {
		return Document{}, f.tooLarge(shown)
	}
	if len(bytes.TrimSpace(content)) == 0 {
		return Document{}, &external.InvalidError{Message: fmt.Sprintf("the document at %s is empty", shown), Recheck: true}
	}
	doc := Document{Content: content, Hash: Hash(content), Source: shown}
	f.remember(&entry{url: rawURL, etag: resp.Header.Get("ETag"), lastModified: resp.Header.Get("Last-Modified"), content: content, hash: doc.Hash})
	return doc, nil
}

func (f *Fetcher) tooLarge(shown string) error {
	return &external.InvalidError{Message: fmt.Sprintf("the document at %s is larger than the limit of %s", shown, byteSize(f.maxBytes)), Recheck: true}
}

// statusError classifies an answer other than 200 and 304: a 4xx says the URL is wrong (or not
// served yet), which retrying at once does not fix: Invalid, rechecked at the poll interval,
// since the server may be fixed without the spec changing. 408, 429 and 5xx may pass: transient.
func statusError(shown string, code int, status string) error {
	msg := fmt.Sprintf("GET %s answered %s", shown, status)
	switch {
	case code == http.StatusRequestTimeout, code == http.StatusTooManyRequests, code >= 500:
		return errors.New(msg)
	case code >= 400:
		return &external.InvalidError{Message: msg, Recheck: true}
	}
	// A 1xx or 3xx that was not followed, or a 2xx without a body to use: the server is odd,
	// and may be fixed.
	return &external.InvalidError{Message: msg + "; want 200 with the document", Recheck: true}
}

// errLinkLocal refuses connections to link-local addresses.
var errLinkLocal = errors.New("link-local addresses (such as a cloud provider's metadata service, 169.254.169.254) are not fetched")

// refuseLinkLocal refuses to connect to a link-local address, whatever name resolved to it: no
// API description is served there, but a cloud provider's metadata service (and its credentials)
// is, and a document the operator fetches ends up in 3scale, where its author may read it.
func refuseLinkLocal(_, address string, _ syscall.RawConn) error {
	host, _, err := net.SplitHostPort(address)
	if err != nil {
		return err
	}
	if ip := net.ParseIP(host); ip != nil && (ip.IsLinkLocalUnicast() || ip.IsLinkLocalMulticast()) {
		return errLinkLocal
	}
	return nil
}

// transportError classifies an error of the request itself: a certificate that cannot be
// verified needs the CA bundle (or the server) fixed, which retrying does not do; the rest
// (refused, reset, timeouts) may pass.
func (f *Fetcher) transportError(shown string, err error) error {
	var unknownCA x509.UnknownAuthorityError
	var hostname x509.HostnameError
	var invalid x509.CertificateInvalidError
	var tlsVerify *tls.CertificateVerificationError
	if errors.Is(err, errLinkLocal) {
		return external.Invalidf("cannot fetch the document at %s: %v", shown, errLinkLocal)
	}
	if errors.As(err, &unknownCA) || errors.As(err, &hostname) || errors.As(err, &invalid) || errors.As(err, &tlsVerify) {
		return &external.InvalidError{Recheck: true, Message: fmt.Sprintf(
			"cannot verify the TLS certificate of %s: %v; give the operator the CA that signed it with %s (a PEM file)", shown, unwrapURLError(err), CABundleEnvVar)}
	}
	return fmt.Errorf("cannot fetch the document at %s: %w", shown, unwrapURLError(err))
}

// unwrapURLError drops the *url.Error wrapper, whose message quotes the URL unredacted.
func unwrapURLError(err error) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		return ue.Err
	}
	return err
}

func (f *Fetcher) lookup(rawURL string) *entry {
	f.mu.Lock()
	defer f.mu.Unlock()
	el, ok := f.cache[rawURL]
	if !ok {
		return nil
	}
	f.lru.MoveToFront(el)
	return el.Value.(*entry)
}

// remember keeps e when the server gave a validator to ask again with, evicting the least
// recently used entries beyond the cache bound.
func (f *Fetcher) remember(e *entry) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if el, ok := f.cache[e.url]; ok {
		f.held -= int64(len(el.Value.(*entry).content))
		f.lru.Remove(el)
		delete(f.cache, e.url)
	}
	if (e.etag == "" && e.lastModified == "") || int64(len(e.content)) > f.cacheBytes {
		return
	}
	f.cache[e.url] = f.lru.PushFront(e)
	f.held += int64(len(e.content))
	for f.held > f.cacheBytes {
		last := f.lru.Back()
		old := last.Value.(*entry)
		f.lru.Remove(last)
		delete(f.cache, old.url)
		f.held -= int64(len(old.content))
	}
}

// byteSize writes n in the largest binary unit that divides it, as limits are given.
func byteSize(n int64) string {
	switch {
	case n >= 1<<20 && n%(1<<20) == 0:
		return fmt.Sprintf("%d MiB", n>>20)
	case n >= 1<<10 && n%(1<<10) == 0:
		return fmt.Sprintf("%d KiB", n>>10)
	}
	return fmt.Sprintf("%d bytes", n)
}

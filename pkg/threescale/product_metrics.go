package threescale

import (
	"context"
	"strconv"
	"strings"
)

// Metric is a metric or a method of a product or a backend. Methods are metrics whose parent is
// the "hits" metric; ParentID is set for them.
type Metric struct {
	ID           int64  `json:"id"`
	Name         string `json:"name,omitempty"`
	SystemName   string `json:"system_name"`
	FriendlyName string `json:"friendly_name"`
	Description  string `json:"description"`
	Unit         string `json:"unit,omitempty"`
	ParentID     int64  `json:"parent_id,omitempty"`
	CreatedAt    string `json:"created_at"`
	UpdatedAt    string `json:"updated_at"`
}

// MetricParams are the fields of a new metric; nil fields are not sent.
type MetricParams struct {
	FriendlyName *string `form:"friendly_name"`
	SystemName   *string `form:"system_name"`
	Unit         *string `form:"unit"`
	Description  *string `form:"description"`
}

// MetricUpdateParams are the fields of a metric to change (3scale does not change system names).
type MetricUpdateParams struct {
	FriendlyName *string `form:"friendly_name"`
	Unit         *string `form:"unit"`
	Description  *string `form:"description"`
}

// MethodParams are the fields of a new method.
type MethodParams struct {
	FriendlyName *string `form:"friendly_name"`
	SystemName   *string `form:"system_name"`
	Description  *string `form:"description"`
}

// MethodUpdateParams are the fields of a method to change.
type MethodUpdateParams struct {
	FriendlyName *string `form:"friendly_name"`
	Description  *string `form:"description"`
}

// ListProductMetrics returns the metrics of a product. 3scale includes the methods (the
// children of "hits", with ParentID set) in this list.
func (c *Client) ListProductMetrics(ctx context.Context, productID int64) ([]Metric, error) {
	return list[Metric](ctx, c, opListProductMetrics, nil, productID)
}

// GetProductMetric returns one metric of a product.
func (c *Client) GetProductMetric(ctx context.Context, productID, id int64) (*Metric, error) {
	return one[Metric](ctx, c, opGetProductMetric, nil, productID, id)
}

// CreateProductMetric creates a metric of a product.
func (c *Client) CreateProductMetric(ctx context.Context, productID int64, p MetricParams) (*Metric, error) {
	return one[Metric](ctx, c, opCreateProductMetric, p, productID)
}

// UpdateProductMetric changes a metric of a product.
func (c *Client) UpdateProductMetric(ctx context.Context, productID, id int64, p MetricUpdateParams) (*Metric, error) {
	return one[Metric](ctx, c, opUpdateProductMetric, p, productID, id)
}

// DeleteProductMetric deletes a metric of a product. 3scale refuses (IsUnprocessable) while
// mapping rules or limits use it.
func (c *Client) DeleteProductMetric(ctx context.Context, productID, id int64) error {
	return none(ctx, c, opDeleteProductMetric, nil, productID, id)
}

// ListProductMethods returns the methods under a product's metric (its "hits" metric).
func (c *Client) ListProductMethods(ctx context.Context, productID, metricID int64) ([]Metric, error) {
	return list[Metric](ctx, c, opListProductMethods, nil, productID, metricID)
}

// GetProductMethod returns one method of a product.
func (c *Client) GetProductMethod(ctx context.Context, productID, metricID, id int64) (*Metric, error) {
	return one[Metric](ctx, c, opGetProductMethod, nil, productID, metricID, id)
}

// CreateProductMethod creates a method under a product's metric.
func (c *Client) CreateProductMethod(ctx context.Context, productID, metricID int64, p MethodParams) (*Metric, error) {
	return one[Metric](ctx, c, opCreateProductMethod, p, productID, metricID)
}

// UpdateProductMethod changes a method of a product.
func (c *Client) UpdateProductMethod(ctx context.Context, productID, metricID, id int64, p MethodUpdateParams) (*Metric, error) {
	return one[Metric](ctx, c, opUpdateProductMethod, p, productID, metricID, id)
}

// DeleteProductMethod deletes a method of a product.
func (c *Client) DeleteProductMethod(ctx context.Context, productID, metricID, id int64) error {
	return none(ctx, c, opDeleteProductMethod, nil, productID, metricID, id)
}

// ListBackendMetrics returns the metrics of a backend, methods included, all pages.
func (c *Client) ListBackendMetrics(ctx context.Context, backendID int64) ([]Metric, error) {
	return list[Metric](ctx, c, opListBackendMetrics, nil, backendID)
}

// GetBackendMetric returns one metric of a backend.
func (c *Client) GetBackendMetric(ctx context.Context, backendID, id int64) (*Metric, error) {
	return one[Metric](ctx, c, opGetBackendMetric, nil, backendID, id)
}

// CreateBackendMetric creates a metric of a backend.
func (c *Client) CreateBackendMetric(ctx context.Context, backendID int64, p MetricParams) (*Metric, error) {
	return one[Metric](ctx, c, opCreateBackendMetric, p, backendID)
}

// UpdateBackendMetric changes a metric of a backend.
func (c *Client) UpdateBackendMetric(ctx context.Context, backendID, id int64, p MetricUpdateParams) (*Metric, error) {
	return one[Metric](ctx, c, opUpdateBackendMetric, p, backendID, id)
}

// DeleteBackendMetric deletes a metric of a backend.
func (c *Client) DeleteBackendMetric(ctx context.Context, backendID, id int64) error {
	return none(ctx, c, opDeleteBackendMetric, nil, backendID, id)
}

// ListBackendMethods returns the methods under a backend's metric, all pages.
func (c *Client) ListBackendMethods(ctx context.Context, backendID, metricID int64) ([]Metric, error) {
	return list[Metric](ctx, c, opListBackendMethods, nil, backendID, metricID)
}

// GetBackendMethod returns one method of a backend.
func (c *Client) GetBackendMethod(ctx context.Context, backendID, metricID, id int64) (*Metric, error) {
	return one[Metric](ctx, c, opGetBackendMethod, nil, backendID, metricID, id)
}

// CreateBackendMethod creates a method under a backend's metric.
func (c *Client) CreateBackendMethod(ctx context.Context, backendID, metricID int64, p MethodParams) (*Metric, error) {
	return one[Metric](ctx, c, opCreateBackendMethod, p, backendID, metricID)
}

// UpdateBackendMethod changes a method of a backend.
func (c *Client) UpdateBackendMethod(ctx context.Context, backendID, metricID, id int64, p MethodUpdateParams) (*Metric, error) {
	return one[Metric](ctx, c, opUpdateBackendMethod, p, backendID, metricID, id)
}

// DeleteBackendMethod deletes a method of a backend.
func (c *Client) DeleteBackendMethod(ctx context.Context, backendID, metricID, id int64) error {
	return none(ctx, c, opDeleteBackendMethod, nil, backendID, metricID, id)
}

// BackendMetricSystemName returns the system name 3scale shows for a backend's metric or method:
// the name given at creation with the backend's ID as a suffix ("hits" becomes "hits.42"), so
// that names stay unique across the backends a product uses.
func BackendMetricSystemName(name string, backendID int64) string {
	return name + "." + strconv.FormatInt(backendID, 10)
}

// TrimBackendMetricSuffix undoes BackendMetricSystemName: "hits.42" of backend 42 is "hits".
// Names without the backend's suffix are returned unchanged.
func TrimBackendMetricSuffix(systemName string, backendID int64) string {
	return strings.TrimSuffix(systemName, "."+strconv.FormatInt(backendID, 10))
}

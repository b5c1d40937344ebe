package inmemory

// application is a developer account's application: its subscription to a plan of a product.
type application struct {
	ID     int64 `json:"id"`
	planID int64
}

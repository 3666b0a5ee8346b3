package risk

// Service is the risk module as the API and the command line see it: the
// registry, the running targeting, and the facts behind effectiveness,
// history and backtests.
type Service struct {
	Registry  *Registry
	Targeting *Targeting
	Watcher   *Watcher
	Store     Store
	Projector *Projector
	History   *History
	Settings  Settings
}

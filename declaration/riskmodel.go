package declaration

// ModelDecision is what the risk model said about a declaration: every
// item's score, the policy that turned the highest into a selection or
// not, and why the top item scored as it did.
type ModelDecision struct {
	Version int     `json:"version"` // of the active model
	Score   float64 `json:"score"`   // the highest item score, a probability of a finding
	Item    int     `json:"item"`    // the item with that score
	// Items are the scores by item number - 1.
	Items []float64 `json:"items"`
	// Threshold is the score that took a share Capacity·(1−Explore) of
	// recent declarations (Window of them) at the time of the decision.
	Threshold float64 `json:"threshold"`
	Capacity  float64 `json:"capacity"`
	Explore   float64 `json:"explore"`
	Window    int     `json:"window"`
	// Selected is "score" (at or above the threshold), "exploration" (a
	// random pick among the rest, with Draw below ExploreRate) or "".
	Selected    string  `json:"selected,omitempty"`
	Draw        float64 `json:"draw"`
	ExploreRate float64 `json:"explore_rate"`
	// Lane the model asked for when selected; the declaration's lane is the
	// most severe of all streams.
	Lane Lane `json:"lane,omitempty"`
	// Factors are the top item's largest contributions, largest first.
	Factors []ModelFactor `json:"factors,omitempty"`
}

// ModelFactor is one reason for a score in an officer's words: what the
// item has (e.g. its importer's past finding rate) and how much that moved
// the score, in log-odds.
type ModelFactor struct {
	Feature string  `json:"feature"` // e.g. importer, unit_value
	Effect  float64 `json:"effect"`
	ZH      string  `json:"zh"`
	EN      string  `json:"en"`
}

package risk

import (
	"bytes"
	"compress/gzip"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"time"

	"github.com/jinguan-customs/jinguan"
	"github.com/jinguan-customs/jinguan/risk/model"
)

// ModelStore keeps every trained risk model and the audit trail of which
// one was active when. Adapters: sqlite, postgres; the shared suite is
// storetest.RunRiskModels.
type ModelStore interface {
	// PutModel stores a new version with its status (candidate or
	// rejected) and its event; the store numbers versions 1, 2, ….
	PutModel(ctx context.Context, m *StoredModel, ev ModelEvent) (version int, err error)
	// ActivateModel makes version the active one and retires the one
	// active before, which must be from (0: none), with the event, in one
	// transaction. ECONFLICT when from is no longer the active version;
	// ENOTFOUND when there is no such version.
	ActivateModel(ctx context.Context, version, from int, ev ModelEvent) error
	// Models lists every version, newest first, without files.
	Models(ctx context.Context) ([]StoredModel, error)
	// Model returns one version with its file; ENOTFOUND when absent.
	Model(ctx context.Context, version int) (*StoredModel, error)
	// ActiveModelVersion is the active version, 0 when none: what nodes poll.
	ActiveModelVersion(ctx context.Context) (int, error)
	// ModelEvents returns the audit trail, newest first, at most limit.
	ModelEvents(ctx context.Context, limit int) ([]ModelEvent, error)
}

// ModelStatus is where a stored model stands.
type ModelStatus string

const (
	ModelCandidate ModelStatus = "candidate" // stored, never active
	ModelActive    ModelStatus = "active"    // scoring now; at most one
	ModelRetired   ModelStatus = "retired"   // was active; a rollback may bring it back
	ModelRejected  ModelStatus = "rejected"  // not better than the active one when trained
)

// StoredModel is a model with how it was made and how it compared.
type StoredModel struct {
	Version   int         `json:"version"`
	Status    ModelStatus `json:"status"`
	CreatedAt time.Time   `json:"created_at"`
	CreatedBy string      `json:"created_by"`
	Source    string      `json:"source"` // history (retrain), file (import), demo
	Trees     int         `json:"trees"`
	// The training period [TrainFrom, TrainTo) and its labelled items.
	TrainFrom     time.Time `json:"train_from"`
	TrainTo       time.Time `json:"train_to"`
	TrainItems    int       `json:"train_items"`
	TrainFindings int       `json:"train_findings"`
	// Latest is the model on the latest period, kept out of training;
	// Baseline the active model on the same items when there was one.
	Latest   *Evaluation `json:"latest,omitempty"`
	Baseline *Evaluation `json:"baseline,omitempty"`
	ReasonZH string      `json:"reason_zh"` // why it was promoted or not
	ReasonEN string      `json:"reason_en"`
	// Reference are declaration scores of recent declarations, sorted:
	// the stream's threshold until it has seen enough live ones.
	Reference []float64 `json:"reference,omitempty"`
	SHA256    string    `json:"sha256"` // of the model file (JSON)
	Size      int       `json:"size"`   // bytes of the model file
	File      []byte    `json:"-"`      // the model file, gzip-compressed
}

// Evaluation is a model's figures on the labelled items of one period.
type Evaluation struct {
	From         time.Time `json:"from"`
	To           time.Time `json:"to"`
	Declarations int       `json:"declarations"`
	Items        int       `json:"items"`
	Findings     int       `json:"findings"`
	AUC          float64   `json:"auc"` // 0 when one class is absent
	// Precision and recall when the top Share of the items is checked:
	// the policy's capacity and the benchmark's 1, 2, 5 and 10 %.
	At []ShareFigures `json:"at"`
}

// ShareFigures are the outcome of checking the top share of items.
type ShareFigures struct {
	Share     float64 `json:"share"`
	Checked   int     `json:"checked"`
	Findings  int     `json:"findings"`
	Precision float64 `json:"precision"`
	Recall    float64 `json:"recall"`
}

// ModelEvent is one audited action on the models.
type ModelEvent struct {
	Version int       `json:"version"`
	Action  string    `json:"action"` // train | import | promote | activate | rollback
	Actor   string    `json:"actor"`
	Role    string    `json:"role"`
	At      time.Time `json:"at"`
	Reason  string    `json:"reason,omitempty"`
}

// PackModel encodes a model for storage: the file, compressed, and its
// digest and size.
func PackModel(m *model.Model) (file []byte, sum string, size int, err error) {
	var raw bytes.Buffer
	if err := m.Write(&raw); err != nil {
		return nil, "", 0, err
	}
	h := sha256.Sum256(raw.Bytes())
	var z bytes.Buffer
	w, _ := gzip.NewWriterLevel(&z, gzip.BestSpeed)
	if _, err := w.Write(raw.Bytes()); err != nil {
		return nil, "", 0, err
	}
	if err := w.Close(); err != nil {
		return nil, "", 0, err
	}
	return z.Bytes(), hex.EncodeToString(h[:]), raw.Len(), nil
}

// Unpack reads the stored file back into a model, checking its digest.
func (s *StoredModel) Unpack() (*model.Model, error) {
	r, err := gzip.NewReader(bytes.NewReader(s.File))
	if err != nil {
		return nil, fmt.Errorf("risk model v%d: %w", s.Version, err)
	}
	raw, err := io.ReadAll(r)
	if err != nil {
		return nil, fmt.Errorf("risk model v%d: %w", s.Version, err)
	}
	if h := sha256.Sum256(raw); hex.EncodeToString(h[:]) != s.SHA256 {
		return nil, fmt.Errorf("risk model v%d: the stored file does not match its digest", s.Version)
	}
	return model.Read(bytes.NewReader(raw))
}

// ModelConflict is the error of an activation that lost a race.
func ModelConflict(from, active int) error {
	return jinguan.Errorf(jinguan.ECONFLICT, "当前启用的风险模型已变为 v%d（预期 v%d），请刷新后重试",
		"the active risk model is now v%d, not v%d; reload and try again", active, from)
}

// ModelNotFound is the error of a version that does not exist.
func ModelNotFound(version int) error {
	return jinguan.NotFound(fmt.Sprintf("风险模型 v%d", version), fmt.Sprintf("risk model v%d", version))
}

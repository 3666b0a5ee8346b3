package risk

import (
	"context"
	"time"
)

// Credit grades (企业信用等级), the five levels of the 2026 measures. The
// credit module owns grading; risk only reads the grade of a party on the
// declaration date.
const (
	GradeAdvancedCertified  = "advanced_certified"  // 高级认证企业 (AEO)
	GradeCertified          = "certified"           // 认证企业
	GradeRegular            = "regular"             // 常规管理企业
	GradeDishonest          = "dishonest"           // 失信企业
	GradeSeriouslyDishonest = "seriously_dishonest" // 严重失信企业
)

// Grades lists the grades from most to least trusted.
var Grades = []string{GradeAdvancedCertified, GradeCertified, GradeRegular, GradeDishonest, GradeSeriouslyDishonest}

// CreditSource gives an enterprise's credit grade on a date. It is what
// risk needs from the credit module: implement it there and wire it in
// app. Grade returns one of the Grade* codes; an enterprise the source does
// not know is GradeRegular, not an error. It is called for the trader and
// the declaring agent of every declaration, so it should answer from
// memory.
type CreditSource interface {
	Grade(ctx context.Context, scc string, on time.Time) (string, error)
}

// RegularCredit is the source used when none is wired: everyone is regular.
type RegularCredit struct{}

// Grade implements CreditSource.
func (RegularCredit) Grade(context.Context, string, time.Time) (string, error) {
	return GradeRegular, nil
}

// gradeOf asks src, falling back to regular for unknown codes so that a
// grading change elsewhere cannot stop the risk stage.
func gradeOf(ctx context.Context, src CreditSource, scc string, on time.Time) (string, error) {
	if src == nil || scc == "" {
		return GradeRegular, nil
	}
	g, err := src.Grade(ctx, scc, on)
	if err != nil {
		return "", err
	}
	for _, known := range Grades {
		if g == known {
			return g, nil
		}
	}
	return GradeRegular, nil
}

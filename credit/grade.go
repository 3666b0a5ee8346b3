// Package credit is enterprise credit management (企业信用管理): the credit
// events recorded against enterprises, the dishonest-enterprise rules over
// them, grades under the configured model, an explainable points score,
// the measures each grade earns, and the credit repair workflow.
//
// Grades are recomputed for every enterprise by a daily batch over
// columnar in-memory event arrays (Book), and for one enterprise whenever
// an event, certification or repair concerns it.
package credit

// Grade is an enterprise's credit grade. The codes are stable API.
type Grade uint8

const (
	GradeRegular            Grade = iota // 常规管理企业: the default
	GradeAdvancedCertified               // 高级认证企业 (China's AEO)
	GradeCertified                       // 认证企业 (2026 model only)
	GradeDishonest                       // 失信企业
	GradeSeriouslyDishonest              // 严重失信企业 (2026 model only)
	numGrades
)

var gradeCodes = [numGrades]string{"regular", "advanced_certified", "certified", "dishonest", "seriously_dishonest"}

var gradeNames = [numGrades][2]string{
	{"常规管理企业", "regular"},
	{"高级认证企业", "advanced certified"},
	{"认证企业", "certified"},
	{"失信企业", "dishonest"},
	{"严重失信企业", "seriously dishonest"},
}

// Code is the grade's API code.
func (g Grade) Code() string {
	if g >= numGrades {
		return ""
	}
	return gradeCodes[g]
}

func (g Grade) String() string { return g.Code() }

// NameZH and NameEN are for people.
func (g Grade) NameZH() string { return gradeNames[g%numGrades][0] }
func (g Grade) NameEN() string { return gradeNames[g%numGrades][1] }

// ParseGrade reads a grade code.
func ParseGrade(s string) (Grade, bool) {
	for i, c := range gradeCodes {
		if c == s {
			return Grade(i), true
		}
	}
	return 0, false
}

// MarshalText writes the code.
func (g Grade) MarshalText() ([]byte, error) { return []byte(g.Code()), nil }

// UnmarshalText reads a code.
func (g *Grade) UnmarshalText(b []byte) error {
	v, ok := ParseGrade(string(b))
	if !ok {
		return errUnknownGrade(string(b))
	}
	*g = v
	return nil
}

// Model is a set of grades in force: the 2021 measures (GACC Order 251)
// have three categories, the revision in force from 2026-04-01 five levels.
type Model string

const (
	Model2021 Model = "2021"
	Model2026 Model = "2026"
)

// Grades lists the model's grades from best to worst.
func (m Model) Grades() []Grade {
	if m == Model2021 {
		return []Grade{GradeAdvancedCertified, GradeRegular, GradeDishonest}
	}
	return []Grade{GradeAdvancedCertified, GradeCertified, GradeRegular, GradeDishonest, GradeSeriouslyDishonest}
}

// Has reports whether g exists in the model.
func (m Model) Has(g Grade) bool {
	for _, x := range m.Grades() {
		if x == g {
			return true
		}
	}
	return false
}

// fold maps a grade to the nearest one the model has: a certification
// decision of the general level counts as regular under 2021, a serious
// ground as plain dishonest.
func (m Model) fold(g Grade) Grade {
	if m != Model2021 {
		return g
	}
	switch g {
	case GradeCertified:
		return GradeRegular
	case GradeSeriouslyDishonest:
		return GradeDishonest
	}
	return g
}

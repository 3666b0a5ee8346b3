// Package auth maps bearer tokens to principals: a role and the enterprise
// or customs office the caller acts for.
package auth

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"time"
)

// Role is what a caller may do.
type Role string

const (
	RoleDeclarant   Role = "declarant"    // 申报单位: submits and sees its own enterprise's declarations
	RoleOfficer     Role = "officer"      // 海关关员: review, inspection, release, rejection
	RoleRiskAnalyst Role = "risk_analyst" // 风险分析: re-routes lanes, maintains profiles
	// RoleCreditOfficer (企业管理) registers enterprises, records credit
	// events and certification decisions and decides repairs in the area
	// of its office.
	RoleCreditOfficer Role = "credit_officer"
	RoleAdmin         Role = "admin"
)

// Roles lists the valid roles.
var Roles = []Role{RoleDeclarant, RoleOfficer, RoleRiskAnalyst, RoleCreditOfficer, RoleAdmin}

// Principal is the authenticated caller.
type Principal struct {
	User       string `json:"user"`
	Role       Role   `json:"role"`
	Enterprise string `json:"enterprise,omitempty"` // USCC, for declarants
	Office     string `json:"office,omitempty"`     // customs district code, for officers
}

// User is a stored account; only the token's SHA-256 is kept.
type User struct {
	Name       string
	Role       Role
	Enterprise string
	Office     string
	TokenHash  string
	CreatedAt  time.Time
}

// Store keeps users.
type Store interface {
	// PutUser inserts or replaces the user with that name.
	PutUser(ctx context.Context, u User) error
	// UserByTokenHash returns ENOTFOUND for an unknown token.
	UserByTokenHash(ctx context.Context, hash string) (User, error)
}

// HashToken is how tokens are stored and looked up.
func HashToken(token string) string {
	h := sha256.Sum256([]byte(token))
	return hex.EncodeToString(h[:])
}

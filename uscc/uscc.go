// Package uscc checks the 18-character unified social credit code
// (统一社会信用代码, GB 32100-2015).
package uscc

import "strings"

// alphabet is the code's character set: digits and upper-case letters
// without I, O, Z, S and V. A character's value is its index.
const alphabet = "0123456789ABCDEFGHJKLMNPQRTUWXY"

var weights = [17]int{1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28}

// Problem says what is wrong with a code: "" when valid, "format" when it
// is not 18 characters of the alphabet, "check" when the last character
// does not match.
func Problem(code string) string {
	if len(code) != 18 {
		return "format"
	}
	for i := 0; i < 18; i++ {
		if strings.IndexByte(alphabet, code[i]) < 0 {
			return "format"
		}
	}
	if CheckChar(code[:17]) != code[17] {
		return "check"
	}
	return ""
}

// Valid reports whether code is a well-formed code with the right check character.
func Valid(code string) bool { return Problem(code) == "" }

// CheckChar computes the 18th character for the first 17. It returns 0 if
// body is not 17 characters of the alphabet.
func CheckChar(body string) byte {
	if len(body) != 17 {
		return 0
	}
	sum := 0
	for i := 0; i < 17; i++ {
		v := strings.IndexByte(alphabet, body[i])
		if v < 0 {
			return 0
		}
		sum += v * weights[i]
	}
	c := 31 - sum%31
	if c == 31 {
		c = 0
	}
	return alphabet[c]
}

// Complete appends the check character to a 17-character body.
func Complete(body string) string {
	c := CheckChar(body)
	if c == 0 {
		return ""
	}
	return body + string(c)
}

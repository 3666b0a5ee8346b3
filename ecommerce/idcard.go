package ecommerce

// ValidResidentID checks an 18-character resident identity card number
// (GB 11643-1999): 17 digits, a plausible birth date, and the ISO 7064
// MOD 11-2 check character (0–9 or X).
func ValidResidentID(id string) bool {
	if len(id) != 18 {
		return false
	}
	weights := [17]int{7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2}
	sum := 0
	for i := 0; i < 17; i++ {
		c := id[i]
		if c < '0' || c > '9' {
			return false
		}
		sum += int(c-'0') * weights[i]
	}
	month := int(id[10]-'0')*10 + int(id[11]-'0')
	day := int(id[12]-'0')*10 + int(id[13]-'0')
	year := int(id[6]-'0')*1000 + int(id[7]-'0')*100 + int(id[8]-'0')*10 + int(id[9]-'0')
	if month < 1 || month > 12 || day < 1 || day > 31 || year < 1900 {
		return false
	}
	want := "10X98765432"[sum%11]
	c := id[17]
	if c == 'x' {
		c = 'X'
	}
	return c == want
}

// ResidentIDCheck returns the check character for 17 digits (for test data
// and the benchmark's generator).
func ResidentIDCheck(first17 string) byte {
	weights := [17]int{7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2}
	sum := 0
	for i := 0; i < 17 && i < len(first17); i++ {
		sum += int(first17[i]-'0') * weights[i]
	}
	return "10X98765432"[sum%11]
}

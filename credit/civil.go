package credit

// Calendar arithmetic on day numbers without time.Time: the daily run adds
// months to dates millions of times. Algorithms from H. Hinnant,
// "chrono-compatible low-level date algorithms".

// civil returns year, month (1–12) and day of a day number (days since
// 1970-01-01).
func civil(z int32) (y, m, d int32) {
	z += 719468
	era := z / 146097
	if z < 0 && z%146097 != 0 {
		era = (z - 146096) / 146097
	}
	doe := z - era*146097
	yoe := (doe - doe/1460 + doe/36524 - doe/146096) / 365
	y = yoe + era*400
	doy := doe - (365*yoe + yoe/4 - yoe/100)
	mp := (5*doy + 2) / 153
	d = doy - (153*mp+2)/5 + 1
	if mp < 10 {
		m = mp + 3
	} else {
		m = mp - 9
	}
	if m <= 2 {
		y++
	}
	return y, m, d
}

// daysFromCivil is civil's inverse; month and day may overflow, as with
// time.Date (day 31 of a 30-day month is the 1st of the next).
func daysFromCivil(y, m, d int32) int32 {
	// normalise the month first so the day offset is added last
	y += (m - 1) / 12
	m = (m-1)%12 + 1
	if m <= 0 {
		m += 12
		y--
	}
	extra := d - 1
	if m <= 2 {
		y--
	}
	era := y / 400
	if y < 0 && y%400 != 0 {
		era = (y - 399) / 400
	}
	yoe := y - era*400
	mp := m + 9
	if m > 2 {
		mp = m - 3
	}
	doy := (153*mp+2)/5 + 1 - 1
	doe := yoe*365 + yoe/4 - yoe/100 + doy
	return era*146097 + doe - 719468 + extra
}

// addMonths is Date.AddMonths on a day number.
func addMonths(day int32, n int) int32 {
	y, m, d := civil(day)
	return daysFromCivil(y, m+int32(n), d)
}

// yearOf is the calendar year of a day number.
func yearOf(day int32) int32 {
	y, _, _ := civil(day)
	return y
}

// firstOfYear is the day number of 1 January.
func firstOfYear(y int32) int32 { return daysFromCivil(y, 1, 1) }

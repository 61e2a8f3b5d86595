package sqlstore

// SetExactRangeRows lowers the number of logs up to which a time range of
// the log list gets exact id bounds, so small tests reach the bounds taken
// from the logs around a wider range.
func (s *LogStore) SetExactRangeRows(n int) { s.exactRows = n }

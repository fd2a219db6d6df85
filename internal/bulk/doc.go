// Package bulk checks many domains in one run, as `mailwizard check
// --domains-file` does: it reads a domains file (one domain a line, or CSV
// with a header of check flags' names) row by row, runs the checks of many
// rows at once, and writes each row's output as it finishes, or in the
// order of the file, holding back only a bounded window of finished rows,
// with progress on a terminal.
//
// bulk knows what a domains file holds and how a batch of checks is
// scheduled; what a row's values mean (flags, profiles, the Config) and
// how a domain is checked are given to it by the command. It never talks
// to the network itself, and memory stays flat however long the file is:
// rows are read as they are needed and each output is written, then
// dropped.
package bulk

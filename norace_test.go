//go:build !race

package liveconfig_test

// raceEnabled says the tests run with the race detector, so that the other modules' run with it too.
const raceEnabled = false

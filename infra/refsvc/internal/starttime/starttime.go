// Package starttime records the earliest moment the service's Go code runs. It imports only time, and
// Go initialises packages in import-path order once their imports are ready (the Go spec since 1.21),
// so this one runs before the service's heavier dependencies (crypto, net/http) initialise: only
// exec, the runtime's bootstrap and time's own dependencies come before it.
package starttime

import "time"

// At is when this package was initialised.
var At = time.Now()

package main

import (
	"github.com/sundhedsklynge/klynge/config"
)

// loadConfig reads the configuration for serve; a missing file is an error
// that says which file was looked for.
func loadConfig(path string, env []string) (*config.Config, error) {
	return config.Load(path, env)
}

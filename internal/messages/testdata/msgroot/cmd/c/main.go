package main

import "errors"

func main() { _ = errors.New("no such command: run timetracker-ci --help") }

// Package ports declares the interfaces the application layer needs from the
// outside world: stores, the executor client, alarm channels, the message
// catalog and the clock.
//
// "Port" here means a driven (outbound) interface, not an HTTP handler as in
// some hexagonal codebases: inbound HTTP lives in adapters/web and
// adapters/api. Each interface is shaped by the use cases that call it and
// holds only the methods some consumer needs. ports imports domain only.
package ports

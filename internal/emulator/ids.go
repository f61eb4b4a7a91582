package emulator

import (
	"encoding/base64"
	"strings"
)

// Node type names as they appear inside Buildkite's GraphQL ids.
const (
	TypeOrganization   = "Organization"
	TypeUser           = "User"
	TypeViewer         = "Viewer"
	TypeAPIAccessToken = "APIAccessToken"
)

// NodeID returns the GraphQL id Buildkite gives an object: standard base64 of
// "<Type>---<uuid>". Clients must treat ids as opaque; the emulator uses the
// same shape so that ids seen in tests look like the real thing.
func NodeID(typ, uuid string) string {
	return base64.StdEncoding.EncodeToString([]byte(typ + "---" + uuid))
}

// parseNodeID splits an id made by NodeID. ok is false for anything that is
// not valid base64 of "<Type>---<uuid>".
func parseNodeID(id string) (typ, uuid string, ok bool) {
	raw, err := base64.StdEncoding.DecodeString(id)
	if err != nil {
		return "", "", false
	}
	typ, uuid, found := strings.Cut(string(raw), "---")
	if !found || typ == "" || uuid == "" {
		return "", "", false
	}
	return typ, uuid, true
}

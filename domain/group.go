package domain

import (
	"sort"
	"strings"
	"time"
)

// Group is an executor group ("执行器", xxl_job_group): an app name and the
// addresses that run its jobs.
type Group struct {
	ID          int64
	AppName     string
	Title       string
	AddressType AddressType
	AddressList string // comma separated; empty when none
	UpdateTime  time.Time
}

// Addresses returns the group's executor addresses in stored order.
func (g *Group) Addresses() []string { return splitList(g.AddressList) }

// JoinAddresses renders addresses as upstream stores an auto group's list:
// sorted, comma separated; "" when empty.
func JoinAddresses(addrs []string) string {
	s := append([]string(nil), addrs...)
	sort.Strings(s)
	return strings.Join(s, ",")
}

// ValidateManualAddresses checks a manually entered address list: every
// item non-blank and http:// or https://. It returns the list normalised.
func ValidateManualAddresses(list string) (string, error) {
	if strings.TrimSpace(list) == "" {
		return "", KeyError(EINVALID, "jobgroup_field_addressType_limit", "The address list is required for manual registration.")
	}
	var out []string
	for _, a := range strings.Split(list, ",") {
		a = strings.TrimSpace(a)
		if a == "" {
			return "", KeyError(EINVALID, "jobgroup_field_registryList_invalid", "The address list has an empty item.")
		}
		if !strings.HasPrefix(a, "http://") && !strings.HasPrefix(a, "https://") {
			return "", KeyError(EINVALID, "jobgroup_field_registryList_invalid2", "Every address must start with http:// or https://.")
		}
		out = append(out, a)
	}
	return strings.Join(out, ","), nil
}

package application

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"unicode/utf8"

	"github.com/xjob-dev/xjob/domain"
	"github.com/xjob-dev/xjob/ports"
)

// GroupInput is a submitted executor group form.
type GroupInput struct {
	AppName     string
	Title       string
	AddressType domain.AddressType
	AddressList string
}

// ManageGroups holds the decisions behind the executor pages (admins only):
// validation, the address list of auto-registered groups and the refusals
// on delete.
type ManageGroups struct {
	groups   ports.GroupStore
	jobs     ports.JobStore
	registry ports.RegistryStore
	clock    ports.Clock
	opts     ConsoleOptions
}

// NewManageGroups returns the executor group use case.
func NewManageGroups(groups ports.GroupStore, jobs ports.JobStore, registry ports.RegistryStore, clock ports.Clock, opts ConsoleOptions) *ManageGroups {
	if groups == nil || jobs == nil || registry == nil || clock == nil {
		panic("application.NewManageGroups: nil dependency")
	}
	return &ManageGroups{groups: groups, jobs: jobs, registry: registry, clock: clock, opts: opts}
}

func requireAdmin(actor *domain.User) error {
	if actor == nil || !actor.IsAdmin() {
		name := ""
		if actor != nil {
			name = actor.Username
		}
		return &domain.Error{Code: domain.EFORBIDDEN, Key: "ui_err_admin_only", Message: "Only administrators may do this (user " + name + ")."}
	}
	return nil
}

// Load returns a group for editing. Returns ENOTFOUND for an unknown id.
func (uc *ManageGroups) Load(ctx context.Context, actor *domain.User, id int64) (*domain.Group, error) {
	if err := requireAdmin(actor); err != nil {
		return nil, err
	}
	g, err := uc.groups.FindGroupByID(ctx, id)
	if domain.ErrorCode(err) == domain.ENOTFOUND {
		return nil, &domain.Error{Code: domain.ENOTFOUND, Key: "ui_err_group_not_found", Message: fmt.Sprintf("Executor group %d does not exist.", id)}
	}
	return g, err
}

// Create validates and inserts a group. An auto-registered group starts with
// the addresses currently registered under its app name.
func (uc *ManageGroups) Create(ctx context.Context, actor *domain.User, in GroupInput) (*domain.Group, error) {
	if err := requireAdmin(actor); err != nil {
		return nil, err
	}
	g := &domain.Group{}
	if err := uc.apply(ctx, g, in); err != nil {
		return nil, err
	}
	if err := uc.groups.CreateGroup(ctx, g); err != nil {
		return nil, fmt.Errorf("create group: %w", err)
	}
	return g, nil
}

// Update validates and writes a group. For an auto-registered group the
// address list is recomputed from the live registry at once.
func (uc *ManageGroups) Update(ctx context.Context, actor *domain.User, id int64, in GroupInput) (*domain.Group, error) {
	g, err := uc.Load(ctx, actor, id)
	if err != nil {
		return nil, err
	}
	if err := uc.apply(ctx, g, in); err != nil {
		return nil, err
	}
	if err := uc.groups.UpdateGroup(ctx, g); err != nil {
		return nil, fmt.Errorf("update group %d: %w", id, err)
	}
	return g, nil
}

// Delete removes a group and its registry rows. It refuses while jobs
// still use the group, and for the last group.
func (uc *ManageGroups) Delete(ctx context.Context, actor *domain.User, id int64) error {
	g, err := uc.Load(ctx, actor, id)
	if err != nil {
		return err
	}
	n, err := uc.jobs.CountJobs(ctx, id)
	if err != nil {
		return fmt.Errorf("count jobs of group %d: %w", id, err)
	}
	if n > 0 {
		return &domain.Error{Code: domain.ECONFLICT, Key: "ui_err_group_has_jobs", Message: "Jobs still use this executor group; delete or move them first."}
	}
	all, err := uc.groups.AllGroups(ctx)
	if err != nil {
		return fmt.Errorf("list groups: %w", err)
	}
	if len(all) <= 1 {
		return &domain.Error{Code: domain.ECONFLICT, Key: "ui_err_group_last", Message: "The last executor group cannot be deleted."}
	}
	if err := uc.groups.DeleteGroup(ctx, id); err != nil {
		return fmt.Errorf("delete group %d: %w", id, err)
	}
	if err := uc.registry.DeleteRegistriesByKey(ctx, domain.RegistryExecutor, g.AppName); err != nil {
		return fmt.Errorf("delete registry of %s: %w", g.AppName, err)
	}
	return nil
}

// Registered returns the live executor addresses registered under the
// group's app name, sorted.
func (uc *ManageGroups) Registered(ctx context.Context, appName string) ([]string, error) {
	rows, err := uc.registry.AliveRegistries(ctx, uc.clock.Now().Add(-uc.opts.deadTimeout()))
	if err != nil {
		return nil, fmt.Errorf("alive registries: %w", err)
	}
	seen := map[string]bool{}
	var out []string
	for _, r := range rows {
		if r.Group == domain.RegistryExecutor && r.Key == appName && !seen[r.Value] {
			seen[r.Value] = true
			out = append(out, r.Value)
		}
	}
	sort.Strings(out)
	return out, nil
}

func (uc *ManageGroups) apply(ctx context.Context, g *domain.Group, in GroupInput) error {
	var fe FieldErrors
	app := strings.TrimSpace(in.AppName)
	if n := utf8.RuneCountInString(app); n == 0 {
		fe.add("appname", "ui_err_required", "This field is required.", nil)
	} else if n < 4 || n > 64 {
		fe.add("appname", "ui_err_length", "Use 4 to 64 characters.", map[string]any{"Min": 4, "Max": 64})
	} else if strings.ContainsAny(app, " ,<>\"'&") {
		fe.add("appname", "ui_err_appname_chars", "The AppName may not contain spaces, commas or markup.", nil)
	}
	title := strings.TrimSpace(in.Title)
	requireLen(&fe, "title", title, 1, 64)
	var list string
	switch in.AddressType {
	case domain.AddressManual:
		l, err := domain.ValidateManualAddresses(in.AddressList)
		if err != nil {
			fe.add("addressList", domain.ErrorKey(err), domain.ErrorMessage(err), nil)
		}
		list = l
	case domain.AddressAuto:
	default:
		fe.add("addressType", "ui_err_choice", "Choose a valid option.", nil)
	}
	if err := fe.err(); err != nil {
		return err
	}
	if in.AddressType == domain.AddressAuto {
		live, err := uc.Registered(ctx, app)
		if err != nil {
			return err
		}
		list = domain.JoinAddresses(live)
	}
	g.AppName, g.Title, g.AddressType, g.AddressList = app, title, in.AddressType, list
	g.UpdateTime = uc.clock.Now()
	return nil
}

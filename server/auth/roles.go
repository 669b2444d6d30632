package auth

import (
	"slices"

	"licet.dev/licet/server/store"
)

// Permission names one kind of action in the vendor portal.
type Permission string

// The permissions. Routes ask for one; roles grant sets of them.
const (
	// PermRead: see products, customers, orders, licenses, activations and
	// keys' public halves.
	PermRead Permission = "read"
	// PermCatalog: create, change and delete products and customers.
	PermCatalog Permission = "catalog.write"
	// PermOrders: create and revoke orders.
	PermOrders Permission = "orders.write"
	// PermIssue: issue, reissue and revoke licenses.
	PermIssue Permission = "licenses.issue"
	// PermActivate: activate terminals from device codes or request URLs,
	// and release their seats.
	PermActivate Permission = "activations.write"
	// PermAudit: read the audit log.
	PermAudit Permission = "audit.read"
	// PermTokens: create and revoke one's own API tokens.
	PermTokens Permission = "tokens.own"
	// PermAccounts: manage accounts and everyone's API tokens.
	PermAccounts Permission = "accounts.write"
	// PermKeys: rotate the vendor root key.
	PermKeys Permission = "keys.write"
)

// rolePerms is the permission table; admin holds every permission.
var rolePerms = map[store.Role][]Permission{
	store.RoleAdmin:    {PermRead, PermCatalog, PermOrders, PermIssue, PermActivate, PermAudit, PermTokens, PermAccounts, PermKeys},
	store.RoleOperator: {PermRead, PermCatalog, PermOrders, PermIssue, PermActivate, PermTokens},
	store.RoleAuditor:  {PermRead, PermAudit, PermTokens},
}

// Can reports whether role grants p. Unknown roles grant nothing.
func Can(role store.Role, p Permission) bool {
	return slices.Contains(rolePerms[role], p)
}

// Permissions lists what role grants.
func Permissions(role store.Role) []Permission {
	return slices.Clone(rolePerms[role])
}

// canDelegate reports whether an account of role from may create an API
// token with role to: its own role, or any role for an admin.
func canDelegate(from, to store.Role) bool {
	return to.Valid() && (from == to || from == store.RoleAdmin)
}

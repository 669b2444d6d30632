package api

import (
	"licet.dev/licet/server/auth"
	"licet.dev/licet/server/hub"
)

// table is every route of the API. The mux, the authentication rules and
// the OpenAPI document are all built from it.
func (a *API) table() []*route {
	search := []param{{name: "q", typ: "string", desc: "text to search for"}}
	return []*route{
		{method: "GET", path: "/api/v1/openapi.json", op: "getOpenAPI", tag: "meta", public: true,
			summary: "This OpenAPI document", produces: "application/json", handle: a.serveOpenAPI},

		{method: "POST", path: "/api/v1/auth/login", op: "login", tag: "auth", public: true,
			summary: "Sign in; sets the session cookie", desc: "Rate limited per client address; an account locks after 5 wrong passwords in a row.",
			in: loginRequest{}, out: session{}, handle: a.login},
		{method: "POST", path: "/api/v1/auth/setup", op: "setup", tag: "auth", public: true,
			summary: "Create the first admin account with the one-time setup token", desc: "The token is the part after # of the link printed at first start. Rate limited.",
			in: setupRequest{}, out: session{}, status: 201, handle: a.setup},
		{method: "GET", path: "/api/v1/auth/session", op: "getSession", tag: "auth", perm: auth.PermRead,
			summary: "The signed-in account and its CSRF token", out: session{}, handle: a.getSession},
		{method: "POST", path: "/api/v1/auth/logout", op: "logout", tag: "auth", perm: auth.PermRead,
			summary: "End the session", status: 204, handle: a.logout},

		{method: "GET", path: "/api/v1/accounts", op: "listAccounts", tag: "accounts", perm: auth.PermAccounts,
			summary: "List accounts", query: withPaging(append(search, param{name: "role", typ: "string", enum: allRoles})...),
			out: list[account]{}, handle: a.listAccounts},
		{method: "POST", path: "/api/v1/accounts", op: "createAccount", tag: "accounts", perm: auth.PermAccounts,
			summary: "Create an account", in: accountCreate{}, out: account{}, status: 201, handle: a.createAccount},
		{method: "PATCH", path: "/api/v1/accounts/{id}", op: "updateAccount", tag: "accounts", perm: auth.PermAccounts,
			summary: "Change an account's role or password, or disable it", in: accountPatch{}, out: account{}, handle: a.patchAccount},
		{method: "DELETE", path: "/api/v1/accounts/{id}", op: "disableAccount", tag: "accounts", perm: auth.PermAccounts,
			summary: "Disable an account (kept for the audit log)", status: 204, handle: a.deleteAccount},

		{method: "GET", path: "/api/v1/tokens", op: "listTokens", tag: "tokens", perm: auth.PermTokens,
			summary: "List your API tokens (admins: all=true lists everyone's)", query: []param{{name: "all", typ: "boolean"}},
			out: list[token]{}, handle: a.listTokens},
		{method: "POST", path: "/api/v1/tokens", op: "createToken", tag: "tokens", perm: auth.PermTokens,
			summary: "Create an API token; the secret is in this response only", in: tokenCreate{}, out: tokenCreated{}, status: 201, handle: a.createToken},
		{method: "DELETE", path: "/api/v1/tokens/{id}", op: "revokeToken", tag: "tokens", perm: auth.PermTokens,
			summary: "Revoke an API token", status: 204, handle: a.deleteToken},

		{method: "GET", path: "/api/v1/products", op: "listProducts", tag: "products", perm: auth.PermRead,
			summary: "List products", query: withPaging(search...), out: list[product]{}, handle: a.listProducts},
		{method: "POST", path: "/api/v1/products", op: "createProduct", tag: "products", perm: auth.PermCatalog,
			summary: "Create a product", in: productCreate{}, out: product{}, status: 201, handle: a.createProduct},
		{method: "GET", path: "/api/v1/products/{id}", op: "getProduct", tag: "products", perm: auth.PermRead,
			summary: "Get a product", out: product{}, handle: a.getProduct},
		{method: "PATCH", path: "/api/v1/products/{id}", op: "updateProduct", tag: "products", perm: auth.PermCatalog,
			summary: "Rename or describe a product (the short id is fixed)", in: productPatch{}, out: product{}, handle: a.patchProduct},

		{method: "GET", path: "/api/v1/customers", op: "listCustomers", tag: "customers", perm: auth.PermRead,
			summary: "List customers", query: withPaging(search...), out: list[customer]{}, handle: a.listCustomers},
		{method: "POST", path: "/api/v1/customers", op: "createCustomer", tag: "customers", perm: auth.PermCatalog,
			summary: "Create a customer", in: customerCreate{}, out: customer{}, status: 201, handle: a.createCustomer},
		{method: "GET", path: "/api/v1/customers/{id}", op: "getCustomer", tag: "customers", perm: auth.PermRead,
			summary: "Get a customer", out: customer{}, handle: a.getCustomer},
		{method: "PATCH", path: "/api/v1/customers/{id}", op: "updateCustomer", tag: "customers", perm: auth.PermCatalog,
			summary: "Change a customer", in: customerPatch{}, out: customer{}, handle: a.patchCustomer},

		{method: "GET", path: "/api/v1/orders", op: "listOrders", tag: "orders", perm: auth.PermRead,
			summary: "List orders", query: withPaging(append(search,
				param{name: "status", typ: "string", enum: []string{"active", "revoked"}},
				param{name: "mode", typ: "string", enum: []string{"permanent", "periodic", "concurrent", "unlimited", "preactivation"}},
				param{name: "product", typ: "integer", desc: "product id"},
				param{name: "customer", typ: "integer", desc: "customer id"})...),
			out: list[order]{}, handle: a.listOrders},
		{method: "POST", path: "/api/v1/orders", op: "createOrder", tag: "orders", perm: auth.PermOrders,
			summary: "Create an order", in: orderCreate{}, out: order{}, status: 201, handle: a.createOrder},
		{method: "GET", path: "/api/v1/orders/{id}", op: "getOrder", tag: "orders", perm: auth.PermRead,
			summary: "Get an order with its seats in use", out: order{}, handle: a.getOrder},
		{method: "POST", path: "/api/v1/orders/{id}/revoke", op: "revokeOrder", tag: "orders", perm: auth.PermOrders,
			summary: "Revoke an order and every license issued under it", out: order{}, handle: a.revokeOrder},
		{method: "POST", path: "/api/v1/orders/{id}/license", op: "issueOrderLicense", tag: "licenses", perm: auth.PermIssue,
			summary: "Issue the order license (the .license file a site imports)", out: license{}, status: 201, handle: a.issueOrderLicense},

		{method: "POST", path: "/api/v1/activations", op: "activate", tag: "licenses", perm: auth.PermActivate,
			summary: "Activate a terminal from a typed device code or a request URL",
			desc:    "Takes a seat of the order (exactly, in a transaction) and issues a device license, or a lease in modes periodic and concurrent. A device code with one wrong character is corrected and the correction reported.",
			in:      activationCreate{}, out: activationResult{}, status: 201, handle: a.createActivation},
		{method: "POST", path: "/api/v1/orders/{id}/confirmations", op: "createConfirmation", tag: "licenses", perm: auth.PermActivate,
			summary: "Make the confirmation code that activates a terminal from its device code, for typing at the terminal",
			desc: "The order must name a confirmation key (confirm_codes). Takes a seat as an activation does; the same device code and days give the same code again without a second seat. " +
				"The record's file is the full hybrid-signed device license of the same grant, which replaces the classical activation when it reaches the terminal.",
			in: confirmationCreate{}, out: confirmationResult{}, status: 201, handle: a.createConfirmation},
		{method: "POST", path: "/api/v1/releases", op: "createRelease", tag: "licenses", perm: auth.PermActivate,
			summary: "Accept a release code from an offline terminal and free its seat",
			desc: "The code names the license by the first 16 hex digits of its id and carries a tag made with the activation's secret (its license file or confirmation code). " +
				"A valid code frees the seat and is recorded in the audit log as the customer's declaration: it proves possession of the activation, not deletion. " +
				"Releasing again answers the same record (already: true). Wrong codes are rate limited per account.",
			in: releaseCreate{}, out: releaseResult{}, handle: a.createRelease},
		{method: "GET", path: "/api/v1/licenses", op: "listLicenses", tag: "licenses", perm: auth.PermRead,
			summary: "List issued licenses", query: withPaging(append(search,
				param{name: "kind", typ: "string", enum: []string{"order", "device"}},
				param{name: "status", typ: "string", enum: []string{"active", "revoked"}},
				param{name: "order", typ: "integer", desc: "order id"})...),
			out: list[license]{}, handle: a.listLicenses},
		{method: "GET", path: "/api/v1/licenses/{id}", op: "getLicense", tag: "licenses", perm: auth.PermRead,
			summary: "Get a license", out: license{}, handle: a.getLicense},
		{method: "GET", path: "/api/v1/licenses/{id}/file", op: "downloadLicense", tag: "licenses", perm: auth.PermRead,
			summary: "Download the .license file (armoured text)", produces: licenseMediaType, handle: a.licenseFile},
		{method: "POST", path: "/api/v1/licenses/{id}/revoke", op: "revokeLicense", tag: "licenses", perm: auth.PermIssue,
			summary: "Revoke a license", out: license{}, handle: a.revokeLicense},
		{method: "POST", path: "/api/v1/licenses/{id}/reissue", op: "reissueLicense", tag: "licenses", perm: auth.PermIssue,
			summary: "Sign a license again with the current key and terms; the old one is marked replaced",
			out:     license{}, status: 201, handle: a.reissueLicense},

		{method: "POST", path: "/api/v1/pairings", op: "createPairing", tag: "pairings", perm: auth.PermActivate,
			summary: "Pair a phone with this page: a token and the phone URL to show as a QR code",
			desc:    "The pairing lasts 10 minutes. Open events_url as a websocket to receive what the phone reads.",
			out:     pairingCreated{}, status: 201, handle: a.createPairing},
		{method: "GET", path: "/api/v1/pairings/{id}/events", op: "pairingEvents", tag: "pairings", perm: auth.PermActivate,
			summary: "Websocket of a pairing: the phone's messages, as JSON text messages",
			desc: "A websocket (send Upgrade: websocket) with the session cookie from a page of this portal (the Origin header is checked). " +
				"Messages: {type: paired|request|expired, id, request_url, at}; request_url is a terminal's request URL. " +
				"The server closes it after expired. Pass after=<id> of the last message when reconnecting.",
			query: []param{{name: "after", typ: "integer", desc: "id of the last message received"}},
			out:   hub.Message{}, status: 101, handle: a.pairingEvents},
		{method: "POST", path: "/api/v1/pairings/{token}/hello", op: "pairingHello", tag: "pairings", public: true,
			summary: "The phone announces itself; the desktop receives a paired message",
			desc:    "Authorised by the pairing token in the path alone. Rate limited per address and per pairing.",
			out:     pairingAccepted{}, handle: a.pairingHello},
		{method: "POST", path: "/api/v1/pairings/{token}/requests", op: "pairingRequest", tag: "pairings", public: true,
			summary: "The phone hands a terminal's request URL to the desktop",
			desc:    "Authorised by the pairing token in the path alone. Rate limited per address and per pairing. The URL is checked (a request URL holding a request bundle) and pushed to the desktop's websocket at once.",
			in:      pairingRequest{}, out: pairingAccepted{}, status: 202, handle: a.pairingPost},

		{method: "GET", path: "/api/v1/keys", op: "listKeys", tag: "keys", perm: auth.PermRead,
			summary: "List root keys (public halves)", out: list[rootKey]{}, handle: a.listKeys},
		{method: "GET", path: "/api/v1/keys/trust", op: "trustFile", tag: "keys", perm: auth.PermRead,
			summary: "Every root public key, one licet-pub1: line each: what verifiers trust", produces: "text/plain", handle: a.trust},
		{method: "POST", path: "/api/v1/keys/rotate", op: "rotateKey", tag: "keys", perm: auth.PermKeys,
			summary: "Make a new root key active; older keys stay trusted", in: rotateRequest{}, out: rootKey{}, status: 201, handle: a.rotateKey},

		{method: "GET", path: "/api/v1/audit", op: "listAudit", tag: "audit", perm: auth.PermAudit,
			summary: "The audit log, newest first", query: withPaging(append(search,
				param{name: "actor", typ: "integer", desc: "account id"},
				param{name: "action", typ: "string", desc: "exact action, or a prefix ending in . such as order."},
				param{name: "target", typ: "string", desc: "such as order:42"},
				param{name: "since", typ: "string", desc: "RFC 3339"},
				param{name: "until", typ: "string", desc: "RFC 3339"})...),
			out: list[auditEntry]{}, handle: a.listAudit},
	}
}

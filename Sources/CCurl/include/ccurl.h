#ifndef SKALD_CCURL_H
#define SKALD_CCURL_H
#include <stddef.h>
#include <stdint.h>

// A blocking HTTP(S) request through libcurl: the one C seam of the agent's HTTP client
// (curl_easy_setopt is variadic, which Swift cannot call). Imported by the Agent module only.

typedef struct skald_http_request {
    const char *url;
    const char *method;              // "GET", "POST"
    const char *const *headers;      // "Name: value" lines
    int header_count;
    const uint8_t *body;
    size_t body_length;
    long timeout_ms;                 // whole request; 0: none
    long connect_timeout_ms;
    const char *ca_file;             // tls_config; NULL: the system's
    const char *cert_file;
    const char *key_file;
    int insecure_skip_verify;
    const char *username;            // basic auth; NULL: none
    const char *password;
    const char *proxy_url;           // NULL: none (and curl's environment proxies are ignored)
    size_t max_response_bytes;       // a longer body is cut (and the request reported as failed)
} skald_http_request;

typedef struct skald_http_response {
    long status;                     // 0 when no response arrived
    uint8_t *body;                   // malloc'd; free with skald_http_response_free
    size_t body_length;
    long retry_after_seconds;        // -1 when absent or not a number of seconds
    char error[256];                 // curl's message when status is 0
} skald_http_response;

// One handle per thread; it keeps connections alive between requests.
void *skald_http_new(void);
void skald_http_free(void *handle);
// Returns 0 when a response arrived (any status), else curl's error code (message in response->error).
int skald_http_perform(void *handle, const skald_http_request *request, skald_http_response *response);
void skald_http_response_free(skald_http_response *response);

// A streaming GET (Kubernetes watches): `on_data` receives the body as it arrives; returning
// nonzero stops the transfer. Returns like skald_http_perform; response->body holds nothing.
typedef int (*skald_http_data_fn)(void *context, const uint8_t *data, size_t length);
int skald_http_stream(void *handle, const skald_http_request *request, skald_http_response *response,
                      skald_http_data_fn on_data, void *context);

#endif

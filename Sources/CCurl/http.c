#include "ccurl.h"
#include <curl/curl.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <ctype.h>

static pthread_once_t global_once = PTHREAD_ONCE_INIT;
static void global_init(void) { curl_global_init(CURL_GLOBAL_DEFAULT); }

void *skald_http_new(void) {
    pthread_once(&global_once, global_init);
    return curl_easy_init();
}

void skald_http_free(void *handle) {
    if (handle) curl_easy_cleanup((CURL *)handle);
}

void skald_http_response_free(skald_http_response *r) {
    free(r->body);
    r->body = NULL;
    r->body_length = 0;
}

typedef struct sink {
    skald_http_response *response;
    size_t capacity;
    size_t max;
    int overflow;
    skald_http_data_fn on_data;
    void *context;
    int stopped;
} sink;

static size_t write_body(char *data, size_t size, size_t n, void *user) {
    sink *s = (sink *)user;
    size_t len = size * n;
    if (s->on_data) {
        if (s->on_data(s->context, (const uint8_t *)data, len) != 0) { s->stopped = 1; return 0; }
        return len;
    }
    skald_http_response *r = s->response;
    if (r->body_length + len > s->max) { s->overflow = 1; return 0; }
    if (r->body_length + len > s->capacity) {
        size_t cap = s->capacity ? s->capacity * 2 : 4096;
        while (cap < r->body_length + len) cap *= 2;
        uint8_t *p = realloc(r->body, cap);
        if (!p) return 0;
        r->body = p;
        s->capacity = cap;
    }
    memcpy(r->body + r->body_length, data, len);
    r->body_length += len;
    return len;
}

// Picks Retry-After out of the response headers (a number of seconds; an HTTP date is ignored).
static size_t read_header(char *data, size_t size, size_t n, void *user) {
    sink *s = (sink *)user;
    size_t len = size * n;
    const char *name = "retry-after:";
    size_t nl = strlen(name);
    if (len > nl && strncasecmp(data, name, nl) == 0) {
        size_t i = nl;
        while (i < len && (data[i] == ' ' || data[i] == '\t')) i++;
        long v = 0;
        int digits = 0;
        while (i < len && isdigit((unsigned char)data[i]) && digits < 9) { v = v * 10 + (data[i] - '0'); i++; digits++; }
        if (digits > 0) s->response->retry_after_seconds = v;
    }
    return len;
}

static int run(void *handle, const skald_http_request *q, skald_http_response *r, skald_http_data_fn on_data, void *context) {
    CURL *c = (CURL *)handle;
    memset(r, 0, sizeof(*r));
    r->retry_after_seconds = -1;
    sink s = { .response = r, .max = q->max_response_bytes ? q->max_response_bytes : (64u << 20), .on_data = on_data, .context = context };
    curl_easy_reset(c);
    curl_easy_setopt(c, CURLOPT_URL, q->url);
    curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, write_body);
    curl_easy_setopt(c, CURLOPT_WRITEDATA, &s);
    curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, read_header);
    curl_easy_setopt(c, CURLOPT_HEADERDATA, &s);
    curl_easy_setopt(c, CURLOPT_PROXY, q->proxy_url ? q->proxy_url : "");
    if (q->timeout_ms > 0) curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, q->timeout_ms);
    if (q->connect_timeout_ms > 0) curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS, q->connect_timeout_ms);
    if (q->ca_file) curl_easy_setopt(c, CURLOPT_CAINFO, q->ca_file);
    if (q->cert_file) curl_easy_setopt(c, CURLOPT_SSLCERT, q->cert_file);
    if (q->key_file) curl_easy_setopt(c, CURLOPT_SSLKEY, q->key_file);
    if (q->insecure_skip_verify) {
        curl_easy_setopt(c, CURLOPT_SSL_VERIFYPEER, 0L);
        curl_easy_setopt(c, CURLOPT_SSL_VERIFYHOST, 0L);
    }
    if (q->username) {
        curl_easy_setopt(c, CURLOPT_HTTPAUTH, CURLAUTH_BASIC);
        curl_easy_setopt(c, CURLOPT_USERNAME, q->username);
        curl_easy_setopt(c, CURLOPT_PASSWORD, q->password ? q->password : "");
    }
    struct curl_slist *headers = NULL;
    // No "Expect: 100-continue" round trip before a push body.
    headers = curl_slist_append(headers, "Expect:");
    for (int i = 0; i < q->header_count; i++) headers = curl_slist_append(headers, q->headers[i]);
    curl_easy_setopt(c, CURLOPT_HTTPHEADER, headers);
    if (q->method && strcmp(q->method, "POST") == 0) {
        curl_easy_setopt(c, CURLOPT_POST, 1L);
        curl_easy_setopt(c, CURLOPT_POSTFIELDS, (const char *)(q->body ? q->body : (const uint8_t *)""));
        curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)q->body_length);
    } else if (q->method && strcmp(q->method, "GET") != 0) {
        curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, q->method);
    }
    CURLcode rc = curl_easy_perform(c);
    curl_slist_free_all(headers);
    long status = 0;
    curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
    if (rc != CURLE_OK && !(s.stopped && rc == CURLE_WRITE_ERROR)) {
        const char *msg = s.overflow ? "response body longer than the allowed maximum" : curl_easy_strerror(rc);
        strncpy(r->error, msg, sizeof(r->error) - 1);
        r->status = 0;
        return (int)rc;
    }
    r->status = status;
    return 0;
}

int skald_http_perform(void *handle, const skald_http_request *q, skald_http_response *r) {
    return run(handle, q, r, NULL, NULL);
}

int skald_http_stream(void *handle, const skald_http_request *q, skald_http_response *r, skald_http_data_fn on_data, void *context) {
    return run(handle, q, r, on_data, context);
}

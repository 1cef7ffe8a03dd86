#include <stdlib.h>
#include "_cgo_export.h"
#include "shim.h"

shim *shim_new(int channels, unsigned long rate) {
	uintptr_t h = ghostrnnNew(channels, rate);
	if (h == 0) {
		return NULL;
	}
	shim *s = calloc(1, sizeof *s);
	if (s == NULL) {
		ghostrnnFree(h);
		return NULL;
	}
	s->go = h;
	s->channels = channels;
	return s;
}

// shim_connect connects port to data: the audio inputs, the audio outputs,
// then attenuation limit, wet mix, bypass and latency.
void shim_connect(shim *s, unsigned long port, float *data) {
	unsigned long ch = s->channels;
	if (port < ch) {
		s->in[port] = data;
	} else if (port < 2 * ch) {
		s->out[port - ch] = data;
	} else {
		switch (port - 2 * ch) {
		case 0: s->atten = data; break;
		case 1: s->mix = data; break;
		case 2: s->bypass = data; break;
		case 3: s->latency = data; break;
		}
	}
}

void shim_activate(shim *s) {
	ghostrnnActivate(s->go);
	if (s->latency) {
		*s->latency = ghostrnnLatency(s->go);
	}
}

// shim_run reads the controls (defaults for unconnected ports), runs the
// block and reports the latency.
void shim_run(shim *s, unsigned long n) {
	float atten = s->atten ? *s->atten : 100, mix = s->mix ? *s->mix : 1;
	int bypass = s->bypass ? *s->bypass > 0.5f : 0;
	if (s->latency) {
		*s->latency = ghostrnnLatency(s->go);
	}
	if (n == 0) {
		return;
	}
	ghostrnnRun(s->go, s->in, s->out, n, atten, mix, bypass);
}

void shim_free(shim *s) {
	ghostrnnFree(s->go);
	free(s);
}

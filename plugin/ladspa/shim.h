// The per-instance state shared by the LADSPA and LV2 front ends: the host's
// port buffers and the handle of the Go instance.
#ifndef GHOSTRNN_SHIM_H
#define GHOSTRNN_SHIM_H
#include <stdint.h>

typedef struct {
	uintptr_t go;   // cgo handle of the plugin.Instance
	int channels;   // 1 or 2
	float *in[2], *out[2];
	float *atten, *mix, *bypass, *latency; // control ports (may be unconnected)
} shim;

shim *shim_new(int channels, unsigned long rate);
void shim_connect(shim *s, unsigned long port, float *data);
void shim_activate(shim *s);
void shim_run(shim *s, unsigned long n);
void shim_free(shim *s);
#endif

// LV2 descriptors of the ghostrnn plugin: the same instances and port order
// as the LADSPA labels (ladspa.c), described in ghostrnn.lv2/ghostrnn.ttl.
#include <stddef.h>
#include <lv2/core/lv2.h>
#include "shim.h"

#define URI_BASE "https://github.com/ghostrnn/ghostrnn/plugin#"

static LV2_Handle instantiate_mono(const LV2_Descriptor *d, double rate, const char *bundle, const LV2_Feature *const *features) {
	return shim_new(1, (unsigned long)(rate + 0.5));
}

static LV2_Handle instantiate_stereo(const LV2_Descriptor *d, double rate, const char *bundle, const LV2_Feature *const *features) {
	return shim_new(2, (unsigned long)(rate + 0.5));
}

static void connect_port(LV2_Handle h, uint32_t port, void *data) { shim_connect(h, port, data); }

static void activate(LV2_Handle h) { shim_activate(h); }

static void run(LV2_Handle h, uint32_t n) { shim_run(h, n); }

static void cleanup(LV2_Handle h) { shim_free(h); }

static const void *extension_data(const char *uri) { return NULL; }

static const LV2_Descriptor descriptors[] = {
	{URI_BASE "mono", instantiate_mono, connect_port, activate, run, NULL, cleanup, extension_data},
	{URI_BASE "stereo", instantiate_stereo, connect_port, activate, run, NULL, cleanup, extension_data},
};

LV2_SYMBOL_EXPORT const LV2_Descriptor *lv2_descriptor(uint32_t index) {
	return index < 2 ? &descriptors[index] : NULL;
}

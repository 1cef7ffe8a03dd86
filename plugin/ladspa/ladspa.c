// LADSPA descriptors of the ghostrnn plugin; every call goes on to the Go
// functions exported in main.go through shim.c.
#include <stdlib.h>
#include <string.h>
#include <ladspa.h>
#include "shim.h"

// Port layout of the mono label (stereo: two inputs, then two outputs, then
// the same controls).
static const char *const mono_names[] = {
	"Input", "Output", "Attenuation limit (dB)", "Wet mix", "Bypass", "latency",
};
static const char *const stereo_names[] = {
	"Input L", "Input R", "Output L", "Output R", "Attenuation limit (dB)", "Wet mix", "Bypass", "latency",
};

#define AUDIO_IN (LADSPA_PORT_INPUT | LADSPA_PORT_AUDIO)
#define AUDIO_OUT (LADSPA_PORT_OUTPUT | LADSPA_PORT_AUDIO)
#define CTL_IN (LADSPA_PORT_INPUT | LADSPA_PORT_CONTROL)
#define CTL_OUT (LADSPA_PORT_OUTPUT | LADSPA_PORT_CONTROL)

static const LADSPA_PortDescriptor mono_ports[] = {AUDIO_IN, AUDIO_OUT, CTL_IN, CTL_IN, CTL_IN, CTL_OUT};
static const LADSPA_PortDescriptor stereo_ports[] = {AUDIO_IN, AUDIO_IN, AUDIO_OUT, AUDIO_OUT, CTL_IN, CTL_IN, CTL_IN, CTL_OUT};

#define HINT_NONE {0, 0, 0}
#define HINT_ATTEN {LADSPA_HINT_BOUNDED_BELOW | LADSPA_HINT_BOUNDED_ABOVE | LADSPA_HINT_DEFAULT_MAXIMUM, 0, 100}
#define HINT_MIX {LADSPA_HINT_BOUNDED_BELOW | LADSPA_HINT_BOUNDED_ABOVE | LADSPA_HINT_DEFAULT_1, 0, 1}
#define HINT_BYPASS {LADSPA_HINT_TOGGLED | LADSPA_HINT_DEFAULT_0, 0, 0}
// A default on the latency output lets hosts that give every control port a
// value (sox) run the plugin with only the three input controls.
#define HINT_LATENCY {LADSPA_HINT_DEFAULT_0, 0, 0}

static const LADSPA_PortRangeHint mono_hints[] = {HINT_NONE, HINT_NONE, HINT_ATTEN, HINT_MIX, HINT_BYPASS, HINT_LATENCY};
static const LADSPA_PortRangeHint stereo_hints[] = {HINT_NONE, HINT_NONE, HINT_NONE, HINT_NONE, HINT_ATTEN, HINT_MIX, HINT_BYPASS, HINT_LATENCY};

static LADSPA_Handle instantiate(const LADSPA_Descriptor *d, unsigned long rate) {
	return shim_new(d->PortCount == 8 ? 2 : 1, rate);
}

static void connect_port(LADSPA_Handle h, unsigned long port, LADSPA_Data *data) { shim_connect(h, port, data); }

static void activate(LADSPA_Handle h) { shim_activate(h); }

static void run(LADSPA_Handle h, unsigned long n) { shim_run(h, n); }

static void cleanup(LADSPA_Handle h) { shim_free(h); }

static const LADSPA_Descriptor descriptors[] = {
	{
		.UniqueID = 7941,
		.Label = "ghostrnn_mono",
		.Properties = LADSPA_PROPERTY_HARD_RT_CAPABLE,
		.Name = "ghostrnn speech denoiser (mono)",
		.Maker = "ghostrnn",
		.Copyright = "see https://github.com/ghostrnn/ghostrnn",
		.PortCount = 6,
		.PortDescriptors = mono_ports,
		.PortNames = mono_names,
		.PortRangeHints = mono_hints,
		.instantiate = instantiate,
		.connect_port = connect_port,
		.activate = activate,
		.run = run,
		.cleanup = cleanup,
	},
	{
		.UniqueID = 7942,
		.Label = "ghostrnn_stereo",
		.Properties = LADSPA_PROPERTY_HARD_RT_CAPABLE,
		.Name = "ghostrnn speech denoiser (stereo)",
		.Maker = "ghostrnn",
		.Copyright = "see https://github.com/ghostrnn/ghostrnn",
		.PortCount = 8,
		.PortDescriptors = stereo_ports,
		.PortNames = stereo_names,
		.PortRangeHints = stereo_hints,
		.instantiate = instantiate,
		.connect_port = connect_port,
		.activate = activate,
		.run = run,
		.cleanup = cleanup,
	},
};

const LADSPA_Descriptor *ladspa_descriptor(unsigned long index) {
	return index < 2 ? &descriptors[index] : NULL;
}

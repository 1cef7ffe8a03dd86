// host loads the ghostrnn LADSPA plugin CYCLES times: each cycle dlopens the
// library, instantiates the stereo and the mono label at 48 kHz, runs both
// (the stereo one on a fresh thread, as an audio thread would), cleans up and
// dlcloses. It prints "rss CYCLE KB" after the first tenth of the cycles and
// at the end, and "latency N" once, and exits non-zero on any failure.
//
//	cc -o host host.c -ldl -lpthread && ./host ghostrnn_ladspa.so 100
#include <dlfcn.h>
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <ladspa.h>

#define BLOCK 480
#define BLOCKS 20

typedef struct {
	const LADSPA_Descriptor *d;
	LADSPA_Handle h;
	float in[2][BLOCK], out[2][BLOCK];
	float atten, mix, bypass, latency;
	int ok;
} inst;

static long rss_kb(void) {
	FILE *f = fopen("/proc/self/status", "r");
	char line[256];
	long kb = -1;
	while (f && fgets(line, sizeof line, f)) {
		if (strncmp(line, "VmRSS:", 6) == 0) {
			kb = atol(line + 6);
		}
	}
	if (f) {
		fclose(f);
	}
	return kb;
}

static int setup(inst *s, const LADSPA_Descriptor *d) {
	memset(s, 0, sizeof *s);
	s->d = d;
	s->h = d->instantiate(d, 48000);
	if (!s->h) {
		fprintf(stderr, "instantiate %s failed\n", d->Label);
		return 0;
	}
	int ch = 0;
	for (unsigned long p = 0; p < d->PortCount; p++) {
		if (LADSPA_IS_PORT_AUDIO(d->PortDescriptors[p]) && LADSPA_IS_PORT_INPUT(d->PortDescriptors[p])) {
			ch++;
		}
	}
	unsigned long p = 0;
	for (int c = 0; c < ch; c++) {
		d->connect_port(s->h, p++, s->in[c]);
	}
	for (int c = 0; c < ch; c++) {
		d->connect_port(s->h, p++, s->out[c]);
	}
	s->atten = 100, s->mix = 1, s->bypass = 0;
	d->connect_port(s->h, p++, &s->atten);
	d->connect_port(s->h, p++, &s->mix);
	d->connect_port(s->h, p++, &s->bypass);
	d->connect_port(s->h, p++, &s->latency);
	d->activate(s->h);
	return 1;
}

static void *run(void *arg) {
	inst *s = arg;
	unsigned seed = 1;
	for (int b = 0; b < BLOCKS; b++) {
		for (int c = 0; c < 2; c++) {
			for (int i = 0; i < BLOCK; i++) {
				seed = seed * 1103515245u + 12345u;
				s->in[c][i] = 0.1f * sinf(0.05f * (b * BLOCK + i)) + ((seed >> 16) & 0x7fff) / 327680.0f - 0.05f;
			}
		}
		s->d->run(s->h, BLOCK);
		for (int c = 0; c < 2; c++) {
			for (int i = 0; i < BLOCK; i++) {
				if (!isfinite(s->out[c][i])) {
					return NULL;
				}
			}
		}
	}
	s->ok = s->latency > 0;
	return NULL;
}

int main(int argc, char **argv) {
	if (argc != 3) {
		fprintf(stderr, "usage: host PLUGIN.so CYCLES\n");
		return 2;
	}
	int cycles = atoi(argv[2]);
	static inst mono, stereo;
	for (int i = 1; i <= cycles; i++) {
		void *lib = dlopen(argv[1], RTLD_NOW | RTLD_LOCAL);
		if (!lib) {
			fprintf(stderr, "dlopen: %s\n", dlerror());
			return 1;
		}
		LADSPA_Descriptor_Function f = (LADSPA_Descriptor_Function)dlsym(lib, "ladspa_descriptor");
		if (!f || !f(0) || !f(1) || f(2)) {
			fprintf(stderr, "ladspa_descriptor: want exactly two plugins\n");
			return 1;
		}
		if (!setup(&stereo, f(1)) || !setup(&mono, f(0))) {
			return 1;
		}
		pthread_t t;
		if (pthread_create(&t, NULL, run, &stereo) != 0) {
			return 1;
		}
		run(&mono);
		pthread_join(t, NULL);
		if (!mono.ok || !stereo.ok) {
			fprintf(stderr, "cycle %d: a run gave non-finite output or no latency\n", i);
			return 1;
		}
		if (i == 1) {
			printf("latency %.0f %.0f\n", mono.latency, stereo.latency);
		}
		mono.d->cleanup(mono.h);
		stereo.d->cleanup(stereo.h);
		dlclose(lib);
		if (i == cycles / 10 || i == cycles) {
			printf("rss %d %ld\n", i, rss_kb());
		}
		fflush(stdout);
	}
	return 0;
}

// SPDX-License-Identifier: GPL-2.0-only
/*
 * The "mm" world model: builds a small machine from a declarative spec,
 * drains it at the end of a run and checks its quiescence invariants.
 *
 * Spec lines (after "model mm"; '#' starts a comment):
 *
 *   pool N
 *	N free pages, for migration targets and COW copies.
 *   file NAME pages N [unevictable]
 *	A file with N page cache pages named NAME:0 .. NAME:N-1 (uptodate,
 *	on the inactive file LRU unless a 'page' line says otherwise).
 *	unevictable: the mapping is AS_UNEVICTABLE (ramfs-like).
 *   page FILE:I [inactive|active|unevictable] [mlocked] [referenced]
 *	     [dirty] [stranded]
 *	Initial LRU placement and flags of one page.  An mlocked page
 *	must be on the unevictable list, and an unevictable-listed page
 *	must be mlocked (or its file unevictable), unless the line says
 *	'stranded' (a state the kernel tolerates and reclaim repairs).
 *   mm NAME
 *	An address space (one page table, 512 ptes).
 *   vma MM NAME FILE START NPAGES PGOFF [locked] [nonlinear] [shared]
 *	     [write]
 *	A file mapping of NPAGES pages at page START of MM, file offset
 *	PGOFF.  locked: VM_LOCKED; nonlinear: VM_NONLINEAR (on the file's
 *	i_mmap_nonlinear list, any file page may sit at any offset);
 *	shared: VM_SHARED; write: VM_WRITE (ptes of a private writable
 *	mapping are write-protected: a write fault COWs).
 *   pte MM VMA I PAGE [young] [dirty] [write]
 *	The pte at page I of the vma maps PAGE (a page of the vma's file;
 *	in a linear vma, the page at the matching file offset).
 *   anon NAME MM VMA I [inactive|active|unevictable] [mlocked] [write]
 *	An anonymous page NAME (as a write fault would have COWed it),
 *	mapped at page I of the private (not shared, linear) vma, on the
 *	inactive anon LRU by default; the vma gets an anon_vma (one per
 *	vma, linked by an anon_vma_chain) the first time.  write: the pte
 *	is writable.  Naming an existing anonymous page (and no
 *	attributes) maps it once more, as fork() would have shared it: the
 *	vma (same layout) is chained to the page's anon_vma and gets one of
 *	its own in the same tree, and every pte of the page is read-only.
 *
 * Every page mapped by a VM_LOCKED vma should be mlocked; a spec may
 * leave one evictable (reclaim will find it and mlock it lazily), but
 * an mlocked page that no VM_LOCKED vma maps is rejected: that is the
 * leak the invariants look for.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <linux/mm.h>
#include <linux/mm_inline.h>
#include <linux/swap.h>
#include <linux/migrate.h>
#include <linux/pagemap.h>

#include "mm_model.h"

static const struct address_space_operations mmw_aops = {
	.migratepage = migrate_page,
};

/* the world's files are tmpfs-like: their vmas can go nonlinear */
static int mmw_fault(struct vm_area_struct *vma, struct vm_fault *vmf)
{
	/*
	 * Reading a page in for a fault (filemap_fault, shmem_fault) is not
	 * modelled: __do_fault() gets no page and fails the fault.
	 */
	return VM_FAULT_SIGBUS;
}

static const struct vm_operations_struct mmw_vm_ops = {
	.fault = mmw_fault,
	.remap_pages = generic_file_remap_pages,
};

/* ---- what the stubs ask of the world ---- */

static struct mmw *mmw_root(void)
{
	return ksim_model_priv(ksim_current_world());
}

struct zone *ksim_mm_zone(void)
{
	return &mmw_root()->zone;
}

struct page *ksim_mm_pfn_to_page(unsigned long pfn)
{
	struct mmw *m = mmw_root();

	if (pfn >= (unsigned long)m->nr_pages)
		return NULL;
	return &m->pages[pfn];
}

struct ksim_percpu *ksim_mm_percpu(int cpu)
{
	return &mmw_root()->percpu[cpu];
}

struct task_struct *ksim_mm_current(void)
{
	return &mmw_root()->tasks[ksim_cpu()];
}

unsigned long ksim_mm_highest_pfn(void)
{
	return (unsigned long)mmw_root()->nr_pages - 1;
}

/* The names of the counters, as the audit lists them. */
static const char *const mmw_event_fields[NR_VM_EVENT_ITEMS] = {
	[PGFREE] = "vm_event.PGFREE",
	[PGACTIVATE] = "vm_event.PGACTIVATE",
	[PGDEACTIVATE] = "vm_event.PGDEACTIVATE",
	[PGROTATED] = "vm_event.PGROTATED",
	[PGMIGRATE_SUCCESS] = "vm_event.PGMIGRATE_SUCCESS",
	[PGMIGRATE_FAIL] = "vm_event.PGMIGRATE_FAIL",
	[UNEVICTABLE_PGCULLED] = "vm_event.UNEVICTABLE_PGCULLED",
	[UNEVICTABLE_PGSCANNED] = "vm_event.UNEVICTABLE_PGSCANNED",
	[UNEVICTABLE_PGRESCUED] = "vm_event.UNEVICTABLE_PGRESCUED",
	[UNEVICTABLE_PGMLOCKED] = "vm_event.UNEVICTABLE_PGMLOCKED",
	[UNEVICTABLE_PGMUNLOCKED] = "vm_event.UNEVICTABLE_PGMUNLOCKED",
	[UNEVICTABLE_PGCLEARED] = "vm_event.UNEVICTABLE_PGCLEARED",
	[UNEVICTABLE_PGSTRANDED] = "vm_event.UNEVICTABLE_PGSTRANDED",
	[PGFAULT] = "vm_event.PGFAULT",
	[PGMAJFAULT] = "vm_event.PGMAJFAULT",
};

static const char *const mmw_stat_fields[NR_VM_ZONE_STAT_ITEMS] = {
	[NR_FREE_PAGES] = "zone.NR_FREE_PAGES",
	[NR_INACTIVE_ANON] = "zone.NR_INACTIVE_ANON",
	[NR_ACTIVE_ANON] = "zone.NR_ACTIVE_ANON",
	[NR_INACTIVE_FILE] = "zone.NR_INACTIVE_FILE",
	[NR_ACTIVE_FILE] = "zone.NR_ACTIVE_FILE",
	[NR_UNEVICTABLE] = "zone.NR_UNEVICTABLE",
	[NR_MLOCK] = "zone.NR_MLOCK",
	[NR_ANON_PAGES] = "zone.NR_ANON_PAGES",
	[NR_FILE_MAPPED] = "zone.NR_FILE_MAPPED",
	[NR_FILE_PAGES] = "zone.NR_FILE_PAGES",
	[NR_FILE_DIRTY] = "zone.NR_FILE_DIRTY",
	[NR_ISOLATED_ANON] = "zone.NR_ISOLATED_ANON",
	[NR_ISOLATED_FILE] = "zone.NR_ISOLATED_FILE",
	[NR_ANON_TRANSPARENT_HUGEPAGES] = "zone.NR_ANON_TRANSPARENT_HUGEPAGES",
	[NR_SHMEM] = "zone.NR_SHMEM",
	[NR_WRITEBACK] = "zone.NR_WRITEBACK",
	[NR_VMSCAN_WRITE] = "zone.NR_VMSCAN_WRITE",
	[NR_VMSCAN_IMMEDIATE] = "zone.NR_VMSCAN_IMMEDIATE",
	[NR_FREE_CMA_PAGES] = "zone.NR_FREE_CMA_PAGES",
};

const char *ksim_mm_stat_field(int item)
{
	if (item < 0 || item >= NR_VM_ZONE_STAT_ITEMS || !mmw_stat_fields[item])
		return "zone.vm_stat";
	return mmw_stat_fields[item];
}

void ksim_mm_count_event(int item, long delta, KSIM_LOC)
{
	ksim_audit_counter(&mmw_root()->vm_events[item], mmw_event_fields[item],
			   file, line, func);
	mmw_root()->vm_events[item] += delta;
}

struct page *ksim_mm_pool_get(void)
{
	struct zone *zone = ksim_mm_zone();
	struct page *page;

	if (list_empty(&zone->ksim_free_list))
		return NULL;
	page = list_first_entry(&zone->ksim_free_list, struct page, lru);
	list_del_init(&page->lru);
	page->ksim_free = 0;
	return page;
}

void ksim_mm_pool_put(struct page *page)
{
	struct zone *zone = ksim_mm_zone();

	page->ksim_free = 1;
	list_add_tail(&page->lru, &zone->ksim_free_list);
}

/*
 * The slab pools of linux/slab.h.  An object is taken from the first
 * free slot of its cache's pool; a freed one keeps its contents (its
 * lock stays valid for a racing reader, as with SLAB_DESTROY_BY_RCU).
 */
void *ksim_mm_slab_alloc(const struct kmem_cache *cachep, gfp_t flags)
{
	struct mmw *m = mmw_root();
	int i;

	(void)flags;
	switch (cachep->ksim_kind) {
	case KSIM_SLAB_ANON_VMA:
		for (i = 0; i < MMW_ANON_VMAS; i++)
			if (!m->anon_vma_used[i]) {
				m->anon_vma_used[i] = 1;
				return &m->anon_vmas[i];
			}
		break;
	case KSIM_SLAB_ANON_VMA_CHAIN:
		for (i = 0; i < MMW_AVCS; i++)
			if (!m->avc_used[i]) {
				m->avc_used[i] = 1;
				return &m->avcs[i];
			}
		break;
	default:
		break;
	}
	return NULL;
}

void ksim_mm_slab_free(const struct kmem_cache *cachep, void *objp)
{
	struct mmw *m = mmw_root();
	unsigned char *used = NULL;
	long i = -1;

	switch (cachep->ksim_kind) {
	case KSIM_SLAB_ANON_VMA:
		i = (struct anon_vma *)objp - m->anon_vmas;
		if (i >= 0 && i < MMW_ANON_VMAS)
			used = &m->anon_vma_used[i];
		break;
	case KSIM_SLAB_ANON_VMA_CHAIN:
		i = (struct anon_vma_chain *)objp - m->avcs;
		if (i >= 0 && i < MMW_AVCS)
			used = &m->avc_used[i];
		break;
	case KSIM_SLAB_VM_AREA: {
		/* a world's vmas are built with it: freeing only retires one */
		struct vm_area_struct *vma = objp;

		if (vma->ksim_unmapped)
			ksim_bug("kmem_cache_free() of a freed vma", KSIM_HERE);
		vma->ksim_unmapped = 1;
		return;
	}
	default:
		break;
	}
	if (!used || !*used)
		ksim_bug("kmem_cache_free() of an object not allocated from the cache",
			 KSIM_HERE);
	*used = 0;
}

spinlock_t *ksim_mm_mmlist_lock(void)
{
	return &mmw_root()->ksim_mmlist_lock;
}

struct mm_struct *ksim_mm_init_mm(void)
{
	return &mmw_root()->ksim_init_mm;
}

/*
 * The world's mutex for a function-local "static DEFINE_MUTEX()" of the
 * kernel code, found by its key; slots are handed out on first use in
 * a run (the world's state, restored for each run, starts with none),
 * and named "function.name" for reports (renamed only when a slot's
 * user changes, so the name pool does not grow run after run).
 */
struct mutex *ksim_static_mutex(const void *key, const char *func,
				const char *name)
{
	struct ksim_world *w = ksim_current_world();
	struct mmw *m = mmw_root();
	int i;

	for (i = 0; i < MMW_STATICS; i++) {
		const void *none = NULL;

		if (__atomic_load_n(&m->statics[i].key, __ATOMIC_ACQUIRE) == key)
			return &m->statics[i].mutex;
		/* (atomic: the pthread stress build runs tasks at once) */
		if (__atomic_compare_exchange_n(&m->statics[i].key, &none, key,
						0, __ATOMIC_ACQ_REL,
						__ATOMIC_ACQUIRE)) {
			char want[96];
			const char *have;

			snprintf(want, sizeof(want), "%s.%s", func, name);
			have = ksim_object_name(w, &m->statics[i].mutex, -1);
			if (!have || strcmp(have, want))
				ksim_name_object(w, &m->statics[i].mutex, "%s",
						 want);
			return &m->statics[i].mutex;
		}
		if (none == key)	/* another task took it for this key */
			return &m->statics[i].mutex;
	}
	ksim_bug("too many static mutexes in the kernel code (MMW_STATICS)",
		 __FILE__, __LINE__, __func__);
}

/* ---- page dumps and the last changes of page state ---- */

static const char *const mmw_lru_names[NR_LRU_LISTS] = {
	[LRU_INACTIVE_ANON] = "inactive_anon",
	[LRU_ACTIVE_ANON] = "active_anon",
	[LRU_INACTIVE_FILE] = "inactive_file",
	[LRU_ACTIVE_FILE] = "active_file",
	[LRU_UNEVICTABLE] = "unevictable",
};

/* The zone LRU list the page is on, -1: none (plain reads, bounded). */
static int mmw_page_lru(struct mmw *m, struct page *page)
{
	int lru;

	for_each_lru(lru) {
		struct list_head *pos, *head = &m->zone.lruvec.lists[lru];
		int guard = 0;

		for (pos = head->next; pos && pos != head && guard <= MMW_PAGES;
		     pos = pos->next, guard++)
			if (pos == &page->lru)
				return lru;
	}
	return -1;
}

static const char *mmw_mapping_name(struct mmw *m, struct page *page)
{
	int i;

	if (!page->mapping)
		return "NULL";
	if (PageAnon(page))
		return "anon";
	for (i = 0; i < m->nr_files; i++)
		if (page->mapping == &m->files[i].mapping)
			return m->files[i].name;
	return "?";
}

/*
 * One line in dump_page()'s manner: name, pfn, counts, mapping, the LRU
 * list it is on, flags (PG_mlocked among them).
 */
static void mmw_describe_page(struct mmw *m, struct page *page, char *out,
			      size_t len)
{
	char flags[160];
	size_t used = 0;
	int b, lru;

	flags[0] = '\0';
	for (b = 0; b < __NR_PAGEFLAGS && used < sizeof(flags); b++)
		if (page->flags & (1UL << b))
			used += snprintf(flags + used, sizeof(flags) - used,
					 "%s%s", used ? "|" : "",
					 ksim_pageflag_names[b] + 3);
	lru = page->ksim_free ? -1 : mmw_page_lru(m, page);
	snprintf(out, len,
		 "page %s pfn:%05d count:%d mapcount:%d mapping:%s index:%#lx lru:%s flags:(%s)",
		 m->info[page->ksim_id].name, page->ksim_id,
		 page->_count.counter, page->_mapcount.counter + 1,
		 mmw_mapping_name(m, page), page->index,
		 page->ksim_free ? "free" : lru >= 0 ? mmw_lru_names[lru] :
		 "none", flags[0] ? flags : "none");
}

/* Which page states a report tells the last change of. */
enum {
	MMW_S_MLOCKED	= 1 << 0,	/* PG_mlocked */
	MMW_S_COUNT	= 1 << 1,	/* _count */
	MMW_S_MAPCOUNT	= 1 << 2,	/* _mapcount */
	MMW_S_LRU	= 1 << 3,	/* LRU list moves, PG_lru, PG_unevictable */
	MMW_S_LOCKED	= 1 << 4,	/* PG_locked */
	MMW_S_FLAGS	= 1 << 5,	/* every flag set now */
};

/* One piece of page state whose last change a report can tell. */
struct mmw_obj {
	const void *obj;
	int bit;
	const char *name;
};

/* The pieces of state 'states' names, of this page; returns how many. */
static int mmw_state_objs(struct page *page, unsigned states,
			  struct mmw_obj *o)
{
	int n = 0, b;

#define OBJ(p, bt, nm) (o[n].obj = (p), o[n].bit = (bt), o[n++].name = (nm))
	if (states & MMW_S_MLOCKED)
		OBJ(&page->flags, PG_mlocked, "PG_mlocked");
	if (states & MMW_S_COUNT)
		OBJ(&page->_count, -1, "_count");
	if (states & MMW_S_MAPCOUNT)
		OBJ(&page->_mapcount, -1, "_mapcount");
	if (states & MMW_S_LRU) {
		OBJ(&page->lru, -1, "LRU list");
		OBJ(&page->flags, PG_lru, "PG_lru");
		OBJ(&page->flags, PG_unevictable, "PG_unevictable");
	}
	if (states & MMW_S_LOCKED)
		OBJ(&page->flags, PG_locked, "PG_locked");
	if (states & MMW_S_FLAGS)
		for (b = 0; b < __NR_PAGEFLAGS; b++)
			if (page->flags & (1UL << b))
				OBJ(&page->flags, b, ksim_pageflag_names[b]);
#undef OBJ
	return n;
}

#define MMW_MAX_OBJS	(5 + __NR_PAGEFLAGS)

/* *latest becomes the last write of those states if it is later. */
static void mmw_page_latest(struct page *page, unsigned states,
			    struct ksim_write_site *latest)
{
	struct mmw_obj o[MMW_MAX_OBJS];
	struct ksim_write_site site;
	int i, n = mmw_state_objs(page, states, o);

	for (i = 0; i < n; i++)
		if (ksim_last_write_site(o[i].obj, o[i].bit, &site) &&
		    (!latest->file || site.seq > latest->seq))
			*latest = site;
}

/*
 * The page, dumped, with the last change of each state in 'states' this
 * run ("    last WHAT change: ..." and the writer's call chain).
 * Appends to out.
 */
static size_t mmw_page_block(struct mmw *m, struct page *page, unsigned states,
			     char *out, size_t len)
{
	struct mmw_obj o[MMW_MAX_OBJS];
	char line[300], last[200];
	size_t used;
	int i, n;

	if (!len)
		return 0;
	mmw_describe_page(m, page, line, sizeof(line));
	used = snprintf(out, len, "  %s\n", line);
	n = mmw_state_objs(page, states, o);
	for (i = 0; i < n && used < len; i++) {
		if (!ksim_last_write(o[i].obj, o[i].bit, last, sizeof(last)))
			continue;
		used += snprintf(out + used, len - used,
				 "    last %s change: %s\n", o[i].name, last);
		if (used < len)
			used += ksim_last_write_chain(o[i].obj, o[i].bit,
						      "      ", out + used,
						      len - used);
	}
	return used < len ? used : len;
}

/*
 * dump_page(): remember what the page looks like, with the last change
 * of its counts and of each flag it has, and the call chain that got
 * here (bad_page() resets its mapcount before it taints); the
 * add_taint() that ends the report makes the finding.
 */
void dump_page(struct page *page)
{
	struct mmw *m = mmw_root();
	char detail[2048];
	size_t used;

	m->dumped = page;
	mmw_describe_page(m, page, m->dump_text, sizeof(m->dump_text));
	used = mmw_page_block(m, page, MMW_S_COUNT | MMW_S_MAPCOUNT |
			      MMW_S_FLAGS, detail, sizeof(detail));
	if (used + 16 < sizeof(detail)) {
		size_t n = snprintf(detail + used, sizeof(detail) - used,
				    "Call Trace:\n");

		if (!ksim_current_chain("  ", detail + used + n,
					sizeof(detail) - used - n))
			detail[used] = '\0';
	}
	m->dump_detail = ksim_keep_text(detail);
}

/*
 * add_taint(TAINT_BAD_PAGE) closes a bad page report: the page stays
 * out of the free pool (the kernel leaks it) and the run has a finding.
 */
void ksim_add_taint(unsigned flag, enum lockdep_ok lockdep_ok, KSIM_LOC)
{
	struct mmw *m = mmw_root();

	if (flag != TAINT_BAD_PAGE)
		return;
	if (m->dumped)
		m->dumped->ksim_bad = 1;
	ksim_report_detail(KSIM_F_BAD_PAGE, file, line, func,
			   m->dumped ? m->dump_detail : NULL,
			   "BUG: Bad page state: %s",
			   m->dumped ? m->dump_text : "(page not shown)");
	m->dumped = NULL;
	m->dump_detail = NULL;
}

/* ---- lookups ---- */

struct page *mmw_find_page(struct mmw *m, const char *name)
{
	int i;

	for (i = 0; i < m->nr_pages; i++)
		if (!strcmp(m->info[i].name, name))
			return &m->pages[i];
	return NULL;
}

struct mmw_file *mmw_find_file(struct mmw *m, const char *name)
{
	int i;

	for (i = 0; i < m->nr_files; i++)
		if (!strcmp(m->files[i].name, name))
			return &m->files[i];
	return NULL;
}

struct mmw_mm *mmw_find_mm(struct mmw *m, const char *name)
{
	int i;

	for (i = 0; i < m->nr_mms; i++)
		if (!strcmp(m->mms[i]->name, name))
			return m->mms[i];
	return NULL;
}

struct vm_area_struct *mmw_find_vma(struct mmw_mm *mm, const char *name)
{
	int i;

	for (i = 0; i < mm->nr_vmas; i++)
		if (!strcmp(mm->vma_names[i], name))
			return &mm->vmas[i];
	return NULL;
}

/* ---- the spec ---- */

#define ERR(...) do { snprintf(err, errlen, __VA_ARGS__); return -1; } while (0)

static int mmw_num(const char *s, long lo, long hi, long *out)
{
	char *end;
	long v = strtol(s, &end, 10);

	if (!*s || *end || v < lo || v > hi)
		return -1;
	*out = v;
	return 0;
}

static int mmw_name_ok(const char *s)
{
	size_t n = strlen(s);

	return n > 0 && n < MMW_NAME - 4 && !strchr(s, ':');
}

static struct page *mmw_new_page(struct mmw *m, const char *name, int file)
{
	struct page *page;
	struct mmw_pageinfo *in;

	if (m->nr_pages == MMW_PAGES)
		return NULL;
	page = &m->pages[m->nr_pages];
	in = &m->info[m->nr_pages];
	page->ksim_id = m->nr_pages++;
	snprintf(in->name, sizeof(in->name), "%s", name);
	in->file = file;
	in->lru = MMW_LRU_INACTIVE;
	INIT_LIST_HEAD(&page->lru);
	page->_mapcount.counter = -1;
	return page;
}

static int mmw_line_pool(struct mmw *m, int argc, char **argv, char *err,
			 size_t errlen)
{
	long n, i;

	if (argc != 2 || mmw_num(argv[1], 0, MMW_PAGES, &n))
		ERR("usage: pool N (0..%d)", MMW_PAGES);
	for (i = 0; i < n; i++) {
		char name[MMW_NAME];
		struct page *page;

		snprintf(name, sizeof(name), "pool%d", m->nr_pool);
		page = mmw_new_page(m, name, -1);
		if (!page)
			ERR("too many pages (at most %d in all)", MMW_PAGES);
		m->nr_pool++;
		page->ksim_free = 1;
	}
	return 0;
}

static int mmw_line_file(struct mmw *m, int argc, char **argv, char *err,
			 size_t errlen)
{
	struct mmw_file *f;
	long n, i;

	if (argc < 4 || argc > 5 || strcmp(argv[2], "pages") ||
	    mmw_num(argv[3], 1, KSIM_FILE_PAGES, &n) ||
	    (argc == 5 && strcmp(argv[4], "unevictable")))
		ERR("usage: file NAME pages N [unevictable] (N 1..%d)",
		    KSIM_FILE_PAGES);
	if (!mmw_name_ok(argv[1]))
		ERR("bad file name '%s'", argv[1]);
	if (mmw_find_file(m, argv[1]) || mmw_find_mm(m, argv[1]))
		ERR("duplicate name '%s'", argv[1]);
	if (m->nr_files == MMW_FILES)
		ERR("too many files (at most %d)", MMW_FILES);
	f = &m->files[m->nr_files++];
	snprintf(f->name, sizeof(f->name), "%s", argv[1]);
	f->mapping.ksim_id = m->nr_files - 1;
	f->mapping.a_ops = &mmw_aops;
	f->mapping.i_mmap = RB_ROOT;
	INIT_LIST_HEAD(&f->mapping.i_mmap_nonlinear);
	f->file.f_mapping = &f->mapping;
	f->inode.i_mapping = &f->mapping;
	f->mapping.host = &f->inode;
	if (argc == 5)
		f->mapping.flags |= 1UL << AS_UNEVICTABLE;
	for (i = 0; i < n; i++) {
		char name[MMW_NAME];
		struct page *page;

		snprintf(name, sizeof(name), "%s:%ld", f->name, i);
		page = mmw_new_page(m, name, m->nr_files - 1);
		if (!page)
			ERR("too many pages (at most %d in all)", MMW_PAGES);
		page->mapping = &f->mapping;
		page->index = i;
		f->mapping.page_tree.ksim_slots[i] = page;
		f->mapping.nrpages++;
		f->nr_pages++;
		f->inode.i_size += PAGE_SIZE;
	}
	return 0;
}

/* The attributes "page" and "anon" lines share; 0: not one of them. */
static int mmw_page_attr(struct mmw_pageinfo *in, const char *word)
{
	if (!strcmp(word, "inactive"))
		in->lru = MMW_LRU_INACTIVE;
	else if (!strcmp(word, "active"))
		in->lru = MMW_LRU_ACTIVE;
	else if (!strcmp(word, "unevictable"))
		in->lru = MMW_LRU_UNEVICTABLE;
	else if (!strcmp(word, "mlocked"))
		in->mlocked = 1;
	else
		return 0;
	return 1;
}

static int mmw_line_page(struct mmw *m, int argc, char **argv, char *err,
			 size_t errlen)
{
	struct page *page;
	struct mmw_pageinfo *in;
	int i;

	if (argc < 2)
		ERR("usage: page FILE:I [inactive|active|unevictable] [mlocked] [referenced] [dirty] [stranded]");
	page = mmw_find_page(m, argv[1]);
	if (!page || m->info[page->ksim_id].file < 0)
		ERR("no file page '%s'", argv[1]);
	in = &m->info[page->ksim_id];
	if (in->given)
		ERR("page %s described twice", argv[1]);
	in->given = 1;
	for (i = 2; i < argc; i++) {
		if (mmw_page_attr(in, argv[i]))
			;
		else if (!strcmp(argv[i], "referenced"))
			in->referenced = 1;
		else if (!strcmp(argv[i], "dirty"))
			in->dirty = 1;
		else if (!strcmp(argv[i], "stranded"))
			in->stranded = 1;
		else
			ERR("page %s: unknown attribute '%s'", argv[1], argv[i]);
	}
	if (in->mlocked && in->lru != MMW_LRU_UNEVICTABLE && !in->stranded)
		ERR("page %s is mlocked but not on the unevictable list (say 'stranded' if intended)",
		    argv[1]);
	if (!in->mlocked && in->lru == MMW_LRU_UNEVICTABLE && !in->stranded &&
	    !(m->files[in->file].mapping.flags & (1UL << AS_UNEVICTABLE)))
		ERR("page %s is on the unevictable list but not mlocked (say 'stranded' if intended)",
		    argv[1]);
	return 0;
}

static int mmw_line_mm(struct mmw *m, struct ksim_world *w, int argc,
		       char **argv, char *err, size_t errlen)
{
	struct mmw_mm *mm;

	if (argc != 2)
		ERR("usage: mm NAME");
	if (!mmw_name_ok(argv[1]))
		ERR("bad mm name '%s'", argv[1]);
	if (mmw_find_mm(m, argv[1]) || mmw_find_file(m, argv[1]))
		ERR("duplicate name '%s'", argv[1]);
	if (m->nr_mms == MMW_MMS)
		ERR("too many mms (at most %d)", MMW_MMS);
	mm = ksim_arena_alloc(w, sizeof(*mm));
	if (!mm)
		ERR("world too large");
	m->mms[m->nr_mms++] = mm;
	snprintf(mm->name, sizeof(mm->name), "%s", argv[1]);
	/* a whole table while the spec is read; mmw_spec_end() trims it */
	mm->pt = ksim_arena_scratch(w, sizeof(*mm->pt) +
				    PTRS_PER_PTE * sizeof(pte_t));
	if (!mm->pt)
		ERR("world too large");
	mm->pt->nr_ptes = PTRS_PER_PTE;
	mm->mm.ksim_pmd.pt = mm->pt;
	mm->mm.ksim_pt = mm->pt;
	mm->mm.ksim_id = m->nr_mms - 1;
	mm->mm.mm_users.counter = 1;
	mm->mm.mm_count.counter = 1;
	INIT_LIST_HEAD(&mm->mm.mmlist);
	mm->mm.mm_rb = RB_ROOT;
	mm->mm.nr_ptes.counter = 1;	/* its one page table */
	return 0;
}

/* Put vma on its mm's rb-tree (keyed by address), as __vma_link_rb does. */
static void mmw_link_rb(struct mm_struct *mm, struct vm_area_struct *vma)
{
	struct rb_node **link = &mm->mm_rb.rb_node, *parent = NULL;

	while (*link) {
		struct vm_area_struct *v;

		parent = *link;
		v = rb_entry(parent, struct vm_area_struct, vm_rb);
		if (vma->vm_start < v->vm_start)
			link = &parent->rb_left;
		else
			link = &parent->rb_right;
	}
	rb_link_node(&vma->vm_rb, parent, link);
	rb_insert_color(&vma->vm_rb, &mm->mm_rb);
	mm->map_count++;
	mm->total_vm += vma_pages(vma);
	if (vma->vm_end > mm->highest_vm_end)
		mm->highest_vm_end = vma->vm_end;
}

static int mmw_line_vma(struct mmw *m, int argc, char **argv, char *err,
			size_t errlen)
{
	struct mmw_mm *mm;
	struct mmw_file *f;
	struct vm_area_struct *vma, **link, *prev = NULL;
	long start, npages, pgoff;
	int i;

	if (argc < 7)
		ERR("usage: vma MM NAME FILE START NPAGES PGOFF [locked] [nonlinear] [shared] [write]");
	mm = mmw_find_mm(m, argv[1]);
	if (!mm)
		ERR("vma %s: no mm '%s'", argv[2], argv[1]);
	if (!mmw_name_ok(argv[2]) || mmw_find_vma(mm, argv[2]))
		ERR("vma %s: bad or duplicate name", argv[2]);
	f = mmw_find_file(m, argv[3]);
	if (!f)
		ERR("vma %s: no file '%s'", argv[2], argv[3]);
	if (mmw_num(argv[4], 0, PTRS_PER_PTE - 1, &start) ||
	    mmw_num(argv[5], 1, PTRS_PER_PTE, &npages) ||
	    start + npages > PTRS_PER_PTE)
		ERR("vma %s: START and NPAGES must fit in %d pages", argv[2],
		    PTRS_PER_PTE);
	if (mmw_num(argv[6], 0, KSIM_FILE_PAGES - 1, &pgoff))
		ERR("vma %s: bad PGOFF '%s'", argv[2], argv[6]);
	if (mm->nr_vmas == MMW_VMAS)
		ERR("too many vmas in %s (at most %d)", mm->name, MMW_VMAS);
	vma = &mm->vmas[mm->nr_vmas];
	vma->vm_start = (unsigned long)start << PAGE_SHIFT;
	vma->vm_end = (unsigned long)(start + npages) << PAGE_SHIFT;
	vma->vm_pgoff = pgoff;
	/* as mmap() sets them for a file opened read-write */
	vma->vm_flags = VM_READ | VM_MAYREAD | VM_MAYWRITE | VM_MAYEXEC;
	vma->vm_mm = &mm->mm;
	INIT_LIST_HEAD(&vma->anon_vma_chain);
	vma->vm_file = &f->file;
	vma->vm_ops = &mmw_vm_ops;
	for (i = 7; i < argc; i++) {
		if (!strcmp(argv[i], "locked"))
			vma->vm_flags |= VM_LOCKED;
		else if (!strcmp(argv[i], "nonlinear"))
			vma->vm_flags |= VM_NONLINEAR;
		else if (!strcmp(argv[i], "shared"))
			vma->vm_flags |= VM_SHARED | VM_MAYSHARE;
		else if (!strcmp(argv[i], "write"))
			vma->vm_flags |= VM_WRITE;
		else
			ERR("vma %s: unknown flag '%s'", argv[2], argv[i]);
	}
	if ((vma->vm_flags & VM_NONLINEAR) && !(vma->vm_flags & VM_SHARED))
		ERR("vma %s: nonlinear vmas are shared mappings (add 'shared')",
		    argv[2]);
	if ((vma->vm_flags & (VM_SHARED | VM_WRITE)) == (VM_SHARED | VM_WRITE))
		vma->vm_page_prot.pgprot = _PAGE_RW;
	/* keep the mm's vma list sorted and free of overlaps */
	for (link = &mm->mm.mmap; *link; link = &(*link)->vm_next) {
		if ((*link)->vm_start >= vma->vm_end)
			break;
		if ((*link)->vm_end > vma->vm_start)
			ERR("vma %s overlaps another vma of %s", argv[2],
			    mm->name);
		prev = *link;
	}
	vma->vm_next = *link;
	vma->vm_prev = prev;
	if (vma->vm_next)
		vma->vm_next->vm_prev = vma;
	*link = vma;
	if (vma->vm_flags & VM_NONLINEAR)
		list_add_tail(&vma->shared.nonlinear,
			      &f->mapping.i_mmap_nonlinear);
	else
		vma_interval_tree_insert(vma, &f->mapping.i_mmap);
	mmw_link_rb(&mm->mm, vma);
	if (vma->vm_flags & VM_LOCKED)
		mm->mm.locked_vm += npages;
	vma->ksim_id = mm->nr_vmas;
	snprintf(mm->vma_names[mm->nr_vmas], MMW_NAME, "%s", argv[2]);
	mm->nr_vmas++;
	return 0;
}

static int mmw_line_pte(struct mmw *m, int argc, char **argv, char *err,
			size_t errlen)
{
	struct mmw_mm *mm;
	struct vm_area_struct *vma;
	struct page *page;
	struct mmw_pageinfo *in;
	pte_t *pte;
	unsigned long addr;
	long idx;
	int i;

	if (argc < 5)
		ERR("usage: pte MM VMA I PAGE [young] [dirty] [write]");
	mm = mmw_find_mm(m, argv[1]);
	if (!mm)
		ERR("pte: no mm '%s'", argv[1]);
	vma = mmw_find_vma(mm, argv[2]);
	if (!vma)
		ERR("pte: no vma '%s' in %s", argv[2], argv[1]);
	if (mmw_num(argv[3], 0, (long)vma_pages(vma) - 1, &idx))
		ERR("pte: offset '%s' outside vma %s (0..%lu)", argv[3],
		    argv[2], vma_pages(vma) - 1);
	page = mmw_find_page(m, argv[4]);
	if (!page || m->info[page->ksim_id].file < 0)
		ERR("pte: no file page '%s'", argv[4]);
	in = &m->info[page->ksim_id];
	if (&m->files[in->file].file != vma->vm_file)
		ERR("pte: page %s belongs to file %s, but vma %s maps file %s",
		    argv[4], m->files[in->file].name, argv[2],
		    m->files[vma->vm_file->f_mapping->ksim_id].name);
	if (!(vma->vm_flags & VM_NONLINEAR) &&
	    page->index != vma->vm_pgoff + (unsigned long)idx)
		ERR("pte: linear vma %s maps offset %lu at %ld, not page %s (use a nonlinear vma)",
		    argv[2], vma->vm_pgoff + idx, idx, argv[4]);
	addr = vma->vm_start + ((unsigned long)idx << PAGE_SHIFT);
	pte = &mm->pt->ptes[pte_index(addr)];
	if (!pte_none(*pte))
		ERR("pte: %s %s %ld is already mapped", argv[1], argv[2], idx);
	*pte = pfn_pte(page->ksim_id, vma->vm_page_prot);
	pte->pte &= ~_PAGE_ACCESSED;
	for (i = 5; i < argc; i++) {
		if (!strcmp(argv[i], "young"))
			pte->pte |= _PAGE_ACCESSED;
		else if (!strcmp(argv[i], "dirty"))
			pte->pte |= _PAGE_DIRTY;
		else if (!strcmp(argv[i], "write"))
			pte->pte |= _PAGE_RW;
		else
			ERR("pte: unknown attribute '%s'", argv[i]);
	}
	page->_mapcount.counter++;
	mm->mm.rss_stat.count[MM_FILEPAGES]++;
	return 0;
}

/* Link vma to av with a chain from the pool (anon_vma_chain_link()). */
static int mmw_chain(struct mmw *m, struct vm_area_struct *vma,
		     struct anon_vma *av)
{
	struct anon_vma_chain *avc;
	int j;

	for (j = 0; j < MMW_AVCS && m->avc_used[j]; j++)
		;
	if (j == MMW_AVCS)
		return -1;
	m->avc_used[j] = 1;
	avc = &m->avcs[j];
	avc->vma = vma;
	avc->anon_vma = av;
	list_add(&avc->same_vma, &vma->anon_vma_chain);
	avc->rb_subtree_last = vma->vm_pgoff + vma_pages(vma) - 1;
	ksim_rb_list_insert(&avc->rb, &av->rb_root);
	return 0;
}

/* A fresh anon_vma from the pool, in the tree of root (or its own). */
static struct anon_vma *mmw_new_anon_vma(struct mmw *m, struct anon_vma *root)
{
	struct anon_vma *av;
	int i;

	for (i = 0; i < MMW_ANON_VMAS && m->anon_vma_used[i]; i++)
		;
	if (i == MMW_ANON_VMAS)
		return NULL;
	m->anon_vma_used[i] = 1;
	av = &m->anon_vmas[i];
	init_rwsem(&av->rwsem);
	av->refcount.counter = 1;
	av->rb_root = RB_ROOT;
	av->root = root ? root : av;
	if (root)
		root->refcount.counter++;	/* a child pins its root */
	return av;
}

/* The anon_vma of vma, set up as anon_vma_prepare() would, or NULL. */
static struct anon_vma *mmw_vma_anon_vma(struct mmw *m,
					 struct vm_area_struct *vma)
{
	struct anon_vma *av;

	if (vma->anon_vma)
		return vma->anon_vma;
	av = mmw_new_anon_vma(m, NULL);
	if (!av || mmw_chain(m, vma, av))
		return NULL;
	vma->anon_vma = av;
	return av;
}

/*
 * Make vma able to map the pages of parent (an anon_vma of another
 * vma), as anon_vma_fork() leaves a child's vma: chained to parent and
 * to an anon_vma of its own in parent's tree.  -1 when vma already has
 * an anon_vma of another tree, or the pools are exhausted.
 */
static int mmw_vma_fork_anon_vma(struct mmw *m, struct vm_area_struct *vma,
				 struct anon_vma *parent)
{
	struct anon_vma_chain *avc;
	struct anon_vma *av;

	if (vma->anon_vma) {
		if (vma->anon_vma->root != parent->root)
			return -1;
		list_for_each_entry(avc, &vma->anon_vma_chain, same_vma)
			if (avc->anon_vma == parent)
				return 0;
		return mmw_chain(m, vma, parent);
	}
	av = mmw_new_anon_vma(m, parent->root);
	if (!av || mmw_chain(m, vma, parent) || mmw_chain(m, vma, av))
		return -1;
	vma->anon_vma = av;
	return 0;
}

/* Write-protect every pte mapping page (fork's COW setup). */
static void mmw_wrprotect_page(struct mmw *m, struct page *page)
{
	int i, p;

	for (i = 0; i < m->nr_mms; i++)
		for (p = 0; p < m->mms[i]->pt->nr_ptes; p++) {
			pte_t *pte = &m->mms[i]->pt->ptes[p];

			if (pte_present(*pte) &&
			    pte_pfn(*pte) == (unsigned long)page->ksim_id)
				pte->pte &= ~_PAGE_RW;
		}
}

static int mmw_line_anon(struct mmw *m, int argc, char **argv, char *err,
			 size_t errlen)
{
	struct mmw_mm *mm;
	struct vm_area_struct *vma;
	struct anon_vma *av;
	struct page *page;
	struct mmw_pageinfo *in;
	unsigned long addr;
	pte_t *pte;
	long idx;
	int i, write = 0;

	if (argc < 5)
		ERR("usage: anon NAME MM VMA I [inactive|active|unevictable] [mlocked] [write]");
	mm = mmw_find_mm(m, argv[2]);
	if (!mm)
		ERR("anon: no mm '%s'", argv[2]);
	vma = mmw_find_vma(mm, argv[3]);
	if (!vma)
		ERR("anon: no vma '%s' in %s", argv[3], argv[2]);
	if (vma->vm_flags & (VM_SHARED | VM_NONLINEAR))
		ERR("anon: vma %s is shared: only private vmas hold anonymous pages",
		    argv[3]);
	if (mmw_num(argv[4], 0, (long)vma_pages(vma) - 1, &idx))
		ERR("anon: offset '%s' outside vma %s (0..%lu)", argv[4],
		    argv[3], vma_pages(vma) - 1);
	addr = vma->vm_start + ((unsigned long)idx << PAGE_SHIFT);
	pte = &mm->pt->ptes[pte_index(addr)];
	if (!pte_none(*pte))
		ERR("anon: %s %s %ld is already mapped", argv[2], argv[3], idx);
	page = mmw_find_page(m, argv[1]);
	if (page) {
		/* one more mapping of an anonymous page, as after fork() */
		if (m->info[page->ksim_id].file != MMW_PAGE_ANON)
			ERR("anon: %s is not an anonymous page", argv[1]);
		if (argc > 5)
			ERR("anon %s: attributes go on the page's first 'anon' line",
			    argv[1]);
		if (linear_page_index(vma, addr) != page->index)
			ERR("anon: %s sits at offset %lu, vma %s maps %lu there (a forked vma has its parent's layout)",
			    argv[1], page->index, argv[3],
			    linear_page_index(vma, addr));
		av = (struct anon_vma *)((char *)page->mapping -
					 PAGE_MAPPING_ANON);
		if (mmw_vma_fork_anon_vma(m, vma, av))
			ERR("anon: vma %s cannot share %s (another anon_vma tree, or out of anon_vmas)",
			    argv[3], argv[1]);
		mmw_wrprotect_page(m, page);
		*pte = pfn_pte(page->ksim_id, vma->vm_page_prot);
		pte->pte &= ~(_PAGE_ACCESSED | _PAGE_RW);
		page->_mapcount.counter++;
		mm->mm.rss_stat.count[MM_ANONPAGES]++;
		return 0;
	}
	if (!mmw_name_ok(argv[1]))
		ERR("anon: bad page name '%s'", argv[1]);
	page = mmw_new_page(m, argv[1], MMW_PAGE_ANON);
	if (!page)
		ERR("too many pages (at most %d in all)", MMW_PAGES);
	in = &m->info[page->ksim_id];
	in->given = 1;
	for (i = 5; i < argc; i++) {
		if (mmw_page_attr(in, argv[i]))
			;
		else if (!strcmp(argv[i], "write"))
			write = 1;
		else
			ERR("anon %s: unknown attribute '%s'", argv[1], argv[i]);
	}
	if (in->mlocked != (in->lru == MMW_LRU_UNEVICTABLE))
		ERR("anon %s: an mlocked page goes on the unevictable list, and only it",
		    argv[1]);
	av = mmw_vma_anon_vma(m, vma);
	if (!av)
		ERR("anon: out of anon_vmas");
	page->mapping = (struct address_space *)((char *)av + PAGE_MAPPING_ANON);
	page->index = linear_page_index(vma, addr);
	*pte = pfn_pte(page->ksim_id, vma->vm_page_prot);
	pte->pte &= ~_PAGE_ACCESSED;
	if (write)
		pte->pte |= _PAGE_RW | _PAGE_DIRTY;
	page->_mapcount.counter++;
	mm->mm.rss_stat.count[MM_ANONPAGES]++;
	return 0;
}

static int mmw_spec_line(struct ksim_world *w, void *priv, int argc,
			 char **argv, char *err, size_t errlen)
{
	struct mmw *m = priv;

	if (!strcmp(argv[0], "pool"))
		return mmw_line_pool(m, argc, argv, err, errlen);
	if (!strcmp(argv[0], "file"))
		return mmw_line_file(m, argc, argv, err, errlen);
	if (!strcmp(argv[0], "page"))
		return mmw_line_page(m, argc, argv, err, errlen);
	if (!strcmp(argv[0], "mm"))
		return mmw_line_mm(m, w, argc, argv, err, errlen);
	if (!strcmp(argv[0], "vma"))
		return mmw_line_vma(m, argc, argv, err, errlen);
	if (!strcmp(argv[0], "pte"))
		return mmw_line_pte(m, argc, argv, err, errlen);
	if (!strcmp(argv[0], "anon"))
		return mmw_line_anon(m, argc, argv, err, errlen);
	ERR("unknown mm directive '%s' (pool, file, page, mm, vma, pte, anon)",
	    argv[0]);
}

/* Is page mapped by a present pte of a VM_LOCKED vma still in its mm? */
static int mmw_mapped_locked(struct mmw *m, struct page *page)
{
	int i;

	for (i = 0; i < m->nr_mms; i++) {
		struct mmw_mm *mm = m->mms[i];
		struct vm_area_struct *vma;

		for (vma = mm->mm.mmap; vma; vma = vma->vm_next) {
			unsigned long a;

			/* exit_mmap() leaves mm->mmap at the freed vmas */
			if (vma->ksim_unmapped)
				break;
			if (!(vma->vm_flags & VM_LOCKED))
				continue;
			for (a = vma->vm_start; a < vma->vm_end; a += PAGE_SIZE) {
				pte_t pte = mm->pt->ptes[pte_index(a)];

				if (pte_present(pte) &&
				    pte_pfn(pte) == (unsigned long)page->ksim_id)
					return 1;
			}
		}
	}
	return 0;
}

/*
 * The page table an mm keeps: the ptes up to the end of its last vma.
 * Most of a 512-entry table is never used, and every run restores and
 * hashes the whole kernel state, so the spec's scratch table is cut
 * down to that.
 */
static int mmw_trim_pt(struct ksim_world *w, struct mmw_mm *mm)
{
	struct ksim_pagetable *pt;
	unsigned long end = 0, e;
	int v;

	for (v = 0; v < mm->nr_vmas; v++) {
		e = mm->vmas[v].vm_end >> PAGE_SHIFT;
		if (e > end)
			end = e;
	}
	pt = ksim_arena_alloc(w, sizeof(*pt) + end * sizeof(pte_t));
	if (!pt)
		return -1;
	pt->nr_ptes = (int)end;
	memcpy(pt->ptes, mm->pt->ptes, end * sizeof(pte_t));
	mm->pt = pt;
	mm->mm.ksim_pmd.pt = pt;
	mm->mm.ksim_pt = pt;
	return 0;
}

static int mmw_spec_end(struct ksim_world *w, void *priv, char *err,
			size_t errlen)
{
	struct mmw *m = priv;
	struct zone *zone = &m->zone;
	int i, j, lru;
	char base[48];

	for (i = 0; i < m->nr_mms; i++)
		if (mmw_trim_pt(w, m->mms[i]))
			ERR("world too large");

	spin_lock_init(&zone->lru_lock);
	for_each_lru(lru)
		INIT_LIST_HEAD(&zone->lruvec.lists[lru]);
	INIT_LIST_HEAD(&zone->ksim_free_list);
	/*
	 * Each CPU's pcp list passes a freed page on to the pool at once
	 * (high = batch = 1).
	 */
	zone->pageset = m->pagesets;
	for (i = 0; i <= KSIM_MAX_TASKS; i++) {
		struct per_cpu_pages *pcp = &m->pagesets[i].pcp;
		int mt;

		pcp->count = 0;
		pcp->high = 1;
		pcp->batch = 1;
		for (mt = 0; mt < MIGRATE_PCPTYPES; mt++)
			INIT_LIST_HEAD(&pcp->lists[mt]);
	}
	for (i = 0; i < MMW_STATICS; i++)
		ksim_name_object(w, &m->statics[i].mutex, "static_mutex%d", i);
	/* (renamed after the kernel code's mutex on first use) */
	ksim_name_object(w, &zone->lru_lock, "zone.lru_lock");
	ksim_name_object(w, &zone->lock, "zone.lock");

	for (i = 0; i < m->nr_pages; i++) {
		struct page *page = &m->pages[i];
		struct mmw_pageinfo *in = &m->info[i];

		snprintf(base, sizeof(base), "%s", in->name);
		ksim_name_bits(w, &page->flags, base, ksim_pageflag_names,
			       __NR_PAGEFLAGS);
		ksim_name_object(w, &page->_count, "%s._count", in->name);
		ksim_name_object(w, &page->_mapcount, "%s._mapcount",
				 in->name);
		/* plain fields the lock-set audit follows */
		ksim_name_object(w, &page->mapping, "%s.mapping", in->name);
		/* both LRU links: one field, written by the neighbours' list
		 * operations too */
		ksim_name_object(w, &page->lru.next, "%s.lru", in->name);
		ksim_name_object(w, &page->lru.prev, "%s.lru", in->name);
		if (in->file == MMW_PAGE_POOL) {
			list_add_tail(&page->lru, &zone->ksim_free_list);
			zone->vm_stat[NR_FREE_PAGES]++;
			continue;
		}
		if (in->mlocked && !mmw_mapped_locked(m, page))
			ERR("page %s is mlocked but no VM_LOCKED vma maps it (that would be a leak)",
			    in->name);
		page->flags |= 1UL << PG_uptodate | 1UL << PG_lru;
		if (in->mlocked)
			page->flags |= 1UL << PG_mlocked;
		if (in->referenced)
			page->flags |= 1UL << PG_referenced;
		if (in->dirty)
			page->flags |= 1UL << PG_dirty;
		switch (in->lru) {
		case MMW_LRU_ACTIVE:
			page->flags |= 1UL << PG_active;
			lru = LRU_ACTIVE_FILE;
			break;
		case MMW_LRU_UNEVICTABLE:
			page->flags |= 1UL << PG_unevictable;
			lru = LRU_UNEVICTABLE;
			break;
		default:
			lru = LRU_INACTIVE_FILE;
		}
		if (in->file == MMW_PAGE_ANON) {
			/* swap-backed, on the anon lists, no page cache ref */
			page->flags |= 1UL << PG_swapbacked;
			if (lru != LRU_UNEVICTABLE)
				lru -= LRU_FILE;
			list_add_tail(&page->lru, &zone->lruvec.lists[lru]);
			zone->vm_stat[NR_LRU_BASE + lru]++;
			zone->vm_stat[NR_ANON_PAGES]++;
			if (in->mlocked)
				zone->vm_stat[NR_MLOCK]++;
			page->_count.counter = page->_mapcount.counter + 1;
			continue;
		}
		list_add_tail(&page->lru, &zone->lruvec.lists[lru]);
		zone->vm_stat[NR_LRU_BASE + lru]++;
		zone->vm_stat[NR_FILE_PAGES]++;
		if (in->mlocked)
			zone->vm_stat[NR_MLOCK]++;
		/* the page cache's reference, plus one per pte */
		page->_count.counter = 1 + page->_mapcount.counter + 1;
		if (page->_mapcount.counter >= 0)
			zone->vm_stat[NR_FILE_MAPPED]++;
	}
	for (i = 0; i < m->nr_files; i++) {
		struct mmw_file *f = &m->files[i];

		ksim_name_object(w, &f->mapping.i_mmap_mutex,
				 "%s.i_mmap_mutex", f->name);
		ksim_name_object(w, &f->mapping.tree_lock, "%s.tree_lock",
				 f->name);
		ksim_name_object(w, &f->inode.i_mutex, "%s.i_mutex", f->name);
	}
	for (i = 0; i < m->nr_mms; i++) {
		struct mmw_mm *mm = m->mms[i];

		ksim_name_object(w, &mm->mm.mmap_sem, "%s.mmap_sem", mm->name);
		ksim_name_object(w, &mm->pt->ptl, "%s.ptl", mm->name);
		ksim_name_object(w, &mm->mm.page_table_lock,
				 "%s.page_table_lock", mm->name);
		ksim_name_object(w, &mm->mm.locked_vm, "%s.locked_vm", mm->name);
		ksim_name_object(w, &mm->mm.mm_users, "%s.mm_users", mm->name);
		ksim_name_object(w, &mm->mm.nr_ptes, "%s.nr_ptes", mm->name);
		/* every vma slot: split_vma() takes new ones from the pool */
		for (j = 0; j < MMW_VMAS; j++)
			ksim_name_object(w, &mm->vmas[j].vm_flags, "%s.vma%d.vm_flags",
					 mm->name, j);
		/* the contents of each pte ("mm0:3.pte": pte 3 of mm0) */
		for (j = 0; j < mm->pt->nr_ptes; j++)
			ksim_name_object(w, &mm->pt->ptes[j], "%s:%d.pte",
					 mm->name, j);
	}
	/*
	 * The per-CPU pagevecs: lru_add_pvec's count and slots as one field
	 * per CPU ("cpu1.lru_add_pvec"), the other pagevecs' counts.
	 */
	for (i = 0; i <= KSIM_MAX_TASKS; i++) {
		struct ksim_percpu *pc = &m->percpu[i];

		ksim_name_object(w, &pc->lru_add_pvec.nr, "cpu%d.lru_add_pvec", i);
		for (j = 0; j < PAGEVEC_SIZE; j++)
			ksim_name_object(w, &pc->lru_add_pvec.pages[j],
					 "cpu%d.lru_add_pvec", i);
		ksim_name_object(w, &pc->lru_rotate_pvecs.nr,
				 "cpu%d.lru_rotate_pvecs", i);
		ksim_name_object(w, &pc->lru_deactivate_pvecs.nr,
				 "cpu%d.lru_deactivate_pvecs", i);
		ksim_name_object(w, &pc->activate_page_pvecs.nr,
				 "cpu%d.activate_page_pvecs", i);
	}
	/*
	 * What the slab constructor of each pooled anon_vma sets up (those
	 * 'anon' lines set up are in use already).
	 */
	for (i = 0; i < MMW_ANON_VMAS; i++) {
		struct anon_vma *av = &m->anon_vmas[i];

		if (!m->anon_vma_used[i]) {
			init_rwsem(&av->rwsem);
			av->refcount.counter = 0;
			av->rb_root = RB_ROOT;
		}
		ksim_name_object(w, &av->rwsem, "anon_vma%d.rwsem", i);
		ksim_name_object(w, &av->refcount, "anon_vma%d.refcount", i);
	}
	spin_lock_init(&m->ksim_mmlist_lock);
	ksim_name_object(w, &m->ksim_mmlist_lock, "mmlist_lock");
	INIT_LIST_HEAD(&m->ksim_init_mm.mmlist);
	return 0;
}

/* ---- end of run ---- */

/* Drain every CPU's pagevecs, as lru_add_drain_all() would. */
static void mmw_quiesce(void *priv)
{
	int cpu;

	(void)priv;
	for (cpu = 0; cpu <= KSIM_MAX_TASKS; cpu++)
		lru_add_drain_cpu(cpu);
}

#define TESTF(page, bit)	(((page)->flags >> (bit)) & 1UL)

struct mmw_acc {
	char text[400];
	size_t used;
	int n;
	uint32_t pages;		/* bit i: m->pages[i] is one of them */
};

_Static_assert(MMW_PAGES <= 32, "struct mmw_acc.pages has a bit a page");

/* Empty: the rest of the text buffer is written before it is read. */
static void mmw_acc_init(struct mmw_acc *a)
{
	a->used = 0;
	a->n = 0;
	a->pages = 0;
	a->text[0] = '\0';
}

static void mmw_acc_add(struct mmw_acc *a, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void mmw_acc_add(struct mmw_acc *a, const char *fmt, ...)
{
	va_list ap;

	a->n++;
	if (a->used >= sizeof(a->text) - 1)
		return;
	if (a->n > 1)
		a->used += snprintf(a->text + a->used,
				    sizeof(a->text) - a->used, "; ");
	va_start(ap, fmt);
	if (a->used < sizeof(a->text))
		a->used += vsnprintf(a->text + a->used,
				     sizeof(a->text) - a->used, fmt, ap);
	va_end(ap);
}

/* A page finding's detail: arg is the pages (bits 0-31) and states. */
static size_t mmw_pages_detail(struct ksim_world *w, unsigned long arg,
			       char *out, size_t len)
{
	struct mmw *m = ksim_model_priv(w);
	uint32_t pages = (uint32_t)arg;
	unsigned states = (unsigned)(arg >> 32);
	size_t used = 0;
	int i;

	for (i = 0; i < m->nr_pages && used < len; i++)
		if (pages & (1u << i))
			used += mmw_page_block(m, &m->pages[i], states,
					       out + used, len - used);
	return used;
}

/*
 * One quiescence finding about pages: "WHAT: text", with each page
 * dumped and the last change of the offending states (written only if
 * the report is asked for).  It is located at the latest of those
 * changes (the kernel line that last touched what is now wrong), or at
 * the checker's line when none is known.
 */
static void mmw_report_pages(struct mmw *m, int kind, const struct mmw_acc *a,
			     unsigned states, int line, const char *what)
{
	struct ksim_write_site latest = { 0 };
	int i;

	if (!a->n)
		return;
	for (i = 0; i < m->nr_pages; i++)
		if (a->pages & (1u << i))
			mmw_page_latest(&m->pages[i], states, &latest);
	ksim_report_at(kind, latest.file ? &latest : NULL, __FILE__, line,
		       "mmw_check", NULL, mmw_pages_detail,
		       (unsigned long)a->pages | (unsigned long)states << 32,
		       "%s: %s", what, a->text);
}

/*
 * The NR_MLOCK finding's detail: the counter's last change, then every
 * page whose PG_mlocked changed this run.
 */
static size_t mmw_nr_mlock_detail(struct ksim_world *w, unsigned long arg,
				  char *out, size_t len)
{
	struct mmw *m = ksim_model_priv(w);
	const void *nr = &m->zone.vm_stat[NR_MLOCK];
	char last[200];
	size_t used = 0;
	int i;

	(void)arg;
	if (ksim_last_write(nr, -1, last, sizeof(last))) {
		used += snprintf(out, len, "last NR_MLOCK change: %s\n", last);
		if (used < len)
			used += ksim_last_write_chain(nr, -1, "    ", out + used,
						      len - used);
	}
	for (i = 0; i < m->nr_pages && used < len; i++)
		if (ksim_last_write(&m->pages[i].flags, PG_mlocked, last, sizeof(last)))
			used += mmw_page_block(m, &m->pages[i], MMW_S_MLOCKED,
					       out + used, len - used);
	return used < len ? used : len;
}

/*
 * The quiescence invariants.  Runs on the driver's stack after the
 * drain: plain reads only, no scheduling points.
 */
static void mmw_check(struct ksim_world *w, void *priv)
{
	struct mmw *m = priv;
	struct zone *zone = &m->zone;
	int on_lru[MMW_PAGES], lru_of[MMW_PAGES], ptes[MMW_PAGES];
	int nr_mlocked = 0, i, lru;
	struct mmw_acc lost, twice, refs, leak, mleak, locked, strand, misc;

	(void)w;
	mmw_acc_init(&lost);
	mmw_acc_init(&twice);
	mmw_acc_init(&refs);
	mmw_acc_init(&leak);
	mmw_acc_init(&mleak);
	mmw_acc_init(&locked);
	mmw_acc_init(&strand);
	mmw_acc_init(&misc);
	memset(on_lru, 0, sizeof(on_lru));
	memset(ptes, 0, sizeof(ptes));
	for_each_lru(lru) {
		struct list_head *pos, *head = &zone->lruvec.lists[lru];
		int guard = 0;

		for (pos = head->next; pos && pos != head; pos = pos->next) {
			struct page *page = list_entry(pos, struct page, lru);
			long id = page - m->pages;

			if (id < 0 || id >= m->nr_pages || ++guard > MMW_PAGES) {
				mmw_acc_add(&misc, "LRU list %d is corrupt", lru);
				break;
			}
			on_lru[id]++;
			lru_of[id] = lru;
		}
	}
	for (i = 0; i < m->nr_mms; i++) {
		struct mmw_mm *mm = m->mms[i];
		int k;

		for (k = 0; k < mm->pt->nr_ptes; k++) {
			pte_t pte = mm->pt->ptes[k];

			if (pte_present(pte) && pte_pfn(pte) < (unsigned long)m->nr_pages)
				ptes[pte_pfn(pte)]++;
			else if (is_swap_pte(pte))
				mmw_acc_add(&misc, "%s: migration entry left at pte %d",
					    mm->name, k);
		}
	}

#define ADDP(acc, ...) do { (acc).pages |= 1u << i; mmw_acc_add(&(acc), __VA_ARGS__); } while (0)
	for (i = 0; i < m->nr_pages; i++) {
		struct page *page = &m->pages[i];
		const char *name = m->info[i].name;
		int cache = 0, count = page->_count.counter;
		int mapcount = page->_mapcount.counter + 1;

		if (page->ksim_free) {
			if (on_lru[i])
				ADDP(twice, "%s is free but on an LRU list", name);
			continue;
		}
		if (TESTF(page, PG_mlocked))
			nr_mlocked++;
		if (page->ksim_bad)
			continue;	/* reported when it was freed */
		if (page->mapping && !PageAnon(page)) {
			struct address_space *mapping = page->mapping;

			cache = page->index < KSIM_FILE_PAGES &&
				radix_tree_lookup(&mapping->page_tree, page->index) == page;
		}
		if (on_lru[i] == 0)
			ADDP(lost, "%s is on no LRU list and not freed", name);
		else if (on_lru[i] > 1)
			ADDP(twice, "%s is on %d LRU lists", name, on_lru[i]);
		else if (!TESTF(page, PG_lru) ||
			 (lru_of[i] == LRU_UNEVICTABLE) != (int)TESTF(page, PG_unevictable))
			ADDP(twice, "%s: flags disagree with its LRU list %d",
				    name, lru_of[i]);
		if (mapcount != ptes[i])
			ADDP(refs, "%s mapcount %d but %d ptes map it",
				    name, mapcount, ptes[i]);
		if (count > cache + ptes[i])
			ADDP(leak, "%s has %d references, its owners hold %d",
				    name, count, cache + ptes[i]);
		else if (count < cache + ptes[i])
			ADDP(refs, "%s has %d references, its owners hold %d",
				    name, count, cache + ptes[i]);
		if (TESTF(page, PG_locked))
			ADDP(locked, "%s", name);
		if (TESTF(page, PG_mlocked) && !mmw_mapped_locked(m, page))
			ADDP(mleak, "%s", name);
		if (on_lru[i] == 1) {
			int evictable = !TESTF(page, PG_mlocked) &&
				!(page->mapping && !PageAnon(page) &&
				  (page->mapping->flags & (1UL << AS_UNEVICTABLE)));

			if (TESTF(page, PG_mlocked) && lru_of[i] != LRU_UNEVICTABLE)
				ADDP(strand, "%s is mlocked on an evictable list", name);
			else if (evictable && lru_of[i] == LRU_UNEVICTABLE)
				ADDP(strand, "%s is evictable on the unevictable list", name);
		}
		if (!TESTF(page, PG_mlocked) && mmw_mapped_locked(m, page))
			ADDP(strand, "%s is mapped by a VM_LOCKED vma but not mlocked", name);
	}

#undef ADDP

	if (misc.n)
		ksim_report(KSIM_F_ACCOUNTING, __FILE__, __LINE__, __func__,
			    "page tables: %s", misc.text);
	mmw_report_pages(m, KSIM_F_LEAK, &lost, MMW_S_LRU, __LINE__,
			 "lost page");
	mmw_report_pages(m, KSIM_F_ACCOUNTING, &twice, MMW_S_LRU, __LINE__,
			 "LRU lists");
	if (zone->vm_stat[NR_MLOCK] != nr_mlocked) {
		struct ksim_write_site site;
		int known = ksim_last_write_site(&zone->vm_stat[NR_MLOCK], -1,
						 &site);

		/* the counter is the state that is wrong: at its last change */
		ksim_report_at(KSIM_F_ACCOUNTING, known ? &site : NULL,
			       __FILE__, __LINE__, __func__, NULL,
			       mmw_nr_mlock_detail, 0,
			       "NR_MLOCK is %ld but %d pages are PG_mlocked",
			       zone->vm_stat[NR_MLOCK], nr_mlocked);
	}
	mmw_report_pages(m, KSIM_F_ACCOUNTING, &refs,
			 MMW_S_COUNT | MMW_S_MAPCOUNT, __LINE__, "refcount");
	mmw_report_pages(m, KSIM_F_LEAK, &leak, MMW_S_COUNT, __LINE__,
			 "leaked reference");
	mmw_report_pages(m, KSIM_F_LEAK, &locked, MMW_S_LOCKED, __LINE__,
			 "page lock left held at quiescence");
	mmw_report_pages(m, KSIM_F_LEAK, &mleak, MMW_S_MLOCKED, __LINE__,
			 "mlock leak: PG_mlocked but no VM_LOCKED vma maps it");
	mmw_report_pages(m, KSIM_F_STRANDED, &strand, MMW_S_MLOCKED | MMW_S_LRU,
			 __LINE__, "stranded");
}

const struct ksim_model ksim_model_mm = {
	.name = "mm",
	.priv_size = sizeof(struct mmw),
	.spec_line = mmw_spec_line,
	.spec_end = mmw_spec_end,
	.quiesce = mmw_quiesce,
	.check = mmw_check,
};

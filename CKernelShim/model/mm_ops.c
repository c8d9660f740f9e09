// SPDX-License-Identifier: GPL-2.0-only
/*
 * Operations of the "mm" model (what a task of an mm scenario runs) and
 * the mm scenarios.  Each operation enters the kernel code the way its
 * system call or kernel thread would.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <linux/mm.h>
#include <linux/mm_inline.h>
#include <linux/pagemap.h>
#include <linux/rmap.h>
#include <linux/swap.h>
#include <linux/migrate.h>

#include "mm_model.h"

struct mmw_arg {
	struct page *page;
	struct mmw_mm *mm;
	struct vm_area_struct *vma;
	struct mmw_file *file;
	unsigned long n;
	unsigned long npages, pgoff;	/* remap */
};

#define SETUP_ERR(...) do { snprintf(err, errlen, __VA_ARGS__); return -1; } while (0)

static struct mmw_arg *mmw_arg_new(struct ksim_world *w)
{
	return ksim_arena_alloc(w, sizeof(struct mmw_arg));
}

/* The task runs in the context of mm (its current->mm). */
static void mmw_enter(struct mmw_mm *mm)
{
	current->mm = mm ? &mm->mm : NULL;
}

/* ---- argument parsers ---- */

/* a decimal number in lo..hi, or -1 */
static long mmw_arg_num(const char *s, long lo, long hi)
{
	char *end;
	long v;

	if (!*s)
		return -1;
	v = strtol(s, &end, 10);
	if (*end || v < lo || v > hi)
		return -1;
	return v;
}


static int setup_page(struct ksim_world *w, void *priv, int argc, char **argv,
		      void **arg, char *err, size_t errlen)
{
	struct mmw *m = priv;
	struct mmw_arg *a = mmw_arg_new(w);

	if (!a)
		SETUP_ERR("world too large");
	if (argc != 1)
		SETUP_ERR("expected one page name, e.g. f0:1");
	a->page = mmw_find_page(m, argv[0]);
	if (!a->page || m->info[a->page->ksim_id].file == MMW_PAGE_POOL)
		SETUP_ERR("no file or anon page '%s' (declare it with 'file' or 'anon' first)",
			  argv[0]);
	*arg = a;
	return 0;
}

static int setup_none(struct ksim_world *w, void *priv, int argc, char **argv,
		      void **arg, char *err, size_t errlen)
{
	if (argc != 0)
		SETUP_ERR("takes no arguments");
	*arg = NULL;
	return 0;
}

static int setup_mm(struct ksim_world *w, void *priv, int argc, char **argv,
		    void **arg, char *err, size_t errlen)
{
	struct mmw *m = priv;
	struct mmw_arg *a = mmw_arg_new(w);

	if (!a)
		SETUP_ERR("world too large");
	if (argc != 1)
		SETUP_ERR("expected one mm name");
	a->mm = mmw_find_mm(m, argv[0]);
	if (!a->mm)
		SETUP_ERR("no mm '%s' (declare it with 'mm' first)", argv[0]);
	*arg = a;
	return 0;
}

static int setup_vma(struct ksim_world *w, void *priv, int argc, char **argv,
		     void **arg, char *err, size_t errlen)
{
	struct mmw_arg *a;

	if (argc != 2)
		SETUP_ERR("expected MM VMA");
	if (setup_mm(w, priv, 1, argv, arg, err, errlen))
		return -1;
	a = *arg;
	a->vma = mmw_find_vma(a->mm, argv[1]);
	if (!a->vma)
		SETUP_ERR("no vma '%s' in mm %s", argv[1], argv[0]);
	return 0;
}

static int setup_vma_idx(struct ksim_world *w, void *priv, int argc,
			 char **argv, void **arg, char *err, size_t errlen)
{
	struct mmw_arg *a;
	long idx;

	if (argc != 3)
		SETUP_ERR("expected MM VMA I");
	if (setup_vma(w, priv, 2, argv, arg, err, errlen))
		return -1;
	a = *arg;
	idx = mmw_arg_num(argv[2], 0, (long)vma_pages(a->vma) - 1);
	if (idx < 0)
		SETUP_ERR("page offset '%s' is outside vma %s (0..%lu)",
			  argv[2], argv[1], vma_pages(a->vma) - 1);
	a->n = idx;
	return 0;
}

static int setup_file_from(struct ksim_world *w, void *priv, int argc,
			   char **argv, void **arg, char *err, size_t errlen)
{
	struct mmw *m = priv;
	struct mmw_arg *a = mmw_arg_new(w);
	long from;

	if (!a)
		SETUP_ERR("world too large");
	if (argc != 2)
		SETUP_ERR("expected FILE FROM");
	a->file = mmw_find_file(m, argv[0]);
	if (!a->file)
		SETUP_ERR("no file '%s'", argv[0]);
	from = mmw_arg_num(argv[1], 0, a->file->nr_pages - 1);
	if (from < 0)
		SETUP_ERR("FROM '%s' must be a page offset of %s (0..%d)",
			  argv[1], argv[0], a->file->nr_pages - 1);
	a->n = from;
	*arg = a;
	return 0;
}

/*
 * remap MM VMA I NPAGES PGOFF: pages I .. I+NPAGES-1 of the vma show
 * file offsets PGOFF .. PGOFF+NPAGES-1.  The syscall would fail with
 * -EINVAL on a private vma; such a task would explore nothing, so it
 * is refused here, as is a range outside the vma or the file.
 */
static int setup_remap(struct ksim_world *w, void *priv, int argc,
		       char **argv, void **arg, char *err, size_t errlen)
{
	struct mmw *m = priv;
	struct mmw_arg *a;
	struct mmw_file *f;
	long idx, npages, pgoff, pages;

	if (argc != 5)
		SETUP_ERR("expected MM VMA I NPAGES PGOFF");
	if (setup_vma_idx(w, priv, 3, argv, arg, err, errlen))
		return -1;
	a = *arg;
	idx = a->n;
	pages = (long)vma_pages(a->vma);
	f = &m->files[a->vma->vm_file->f_mapping->ksim_id];
	npages = mmw_arg_num(argv[3], 1, pages - idx);
	if (npages < 0)
		SETUP_ERR("NPAGES '%s' must be 1..%ld (the range must end inside vma %s)",
			  argv[3], pages - idx, argv[1]);
	pgoff = mmw_arg_num(argv[4], 0, f->nr_pages - npages);
	if (pgoff < 0)
		SETUP_ERR("PGOFF '%s': file offsets PGOFF..PGOFF+%ld must be pages of %s (0..%d)",
			  argv[4], npages - 1, f->name, f->nr_pages - 1);
	if (!(a->vma->vm_flags & VM_SHARED))
		SETUP_ERR("vma %s is private: remap_file_pages(2) needs a shared mapping (it would fail with -EINVAL)",
			  argv[1]);
	a->n = idx;
	a->npages = npages;
	a->pgoff = pgoff;
	return 0;
}

/* migrate needs a pte that maps the page: remember the first one */
static int setup_migrate(struct ksim_world *w, void *priv, int argc,
			 char **argv, void **arg, char *err, size_t errlen)
{
	struct mmw *m = priv;
	struct mmw_arg *a;
	int i;

	if (setup_page(w, priv, argc, argv, arg, err, errlen))
		return -1;
	a = *arg;
	for (i = 0; i < m->nr_mms && !a->vma; i++) {
		struct mmw_mm *mm = m->mms[i];
		struct vm_area_struct *vma;

		for (vma = mm->mm.mmap; vma && !a->vma; vma = vma->vm_next) {
			unsigned long addr;

			for (addr = vma->vm_start; addr < vma->vm_end;
			     addr += PAGE_SIZE) {
				pte_t pte = mm->pt->ptes[pte_index(addr)];

				if (pte_present(pte) &&
				    pte_pfn(pte) == (unsigned long)a->page->ksim_id) {
					a->mm = mm;
					a->vma = vma;
					a->n = addr;
					break;
				}
			}
		}
	}
	if (!a->vma)
		SETUP_ERR("page %s is not mapped: migrate_pages(2) finds pages through page tables",
			  argv[0]);
	return 0;
}

/* ---- operations ---- */

/* kswapd / direct reclaim scanning the inactive list and taking page */
static void op_reclaim(void *priv, void *arg)
{
	struct mmw_arg *a = arg;

	mmw_enter(NULL);
	ksim_shrink_page(a->page);
}

static struct page *mmw_new_page(struct page *page, unsigned long private,
				 int **result)
{
	return alloc_page(GFP_HIGHUSER_MOVABLE);
}

/*
 * migrate_pages(2) as do_migrate_pages() runs it: mmap_sem held for
 * read throughout; the page is found and isolated under its ptl, then
 * migrated synchronously; what is left goes back to the LRU.
 */
static void op_migrate(void *priv, void *arg)
{
	struct mmw_arg *a = arg;
	struct mm_struct *mm = &a->mm->mm;
	LIST_HEAD(pagelist);
	spinlock_t *ptl;
	pte_t *pte;

	mmw_enter(a->mm);
	migrate_prep();
	down_read(&mm->mmap_sem);
	/* the page walk only visits vmas still in the mm (not munmapped) */
	if (find_vma(mm, a->n) != a->vma || a->vma->vm_start > a->n)
		goto walked;
	pte = get_locked_pte(mm, a->n, &ptl);
	if (pte_present(*pte) &&
	    vm_normal_page(a->vma, a->n, *pte) == a->page) {
		if (!isolate_lru_page(a->page)) {
			list_add_tail(&a->page->lru, &pagelist);
			inc_zone_page_state(a->page, NR_ISOLATED_ANON +
					    page_is_file_cache(a->page));
		}
	}
	pte_unmap_unlock(pte, ptl);
walked:
	/* as migrate_to_node() goes on */
	if (!list_empty(&pagelist)) {
		int err = migrate_pages(&pagelist, mmw_new_page, 0,
					MIGRATE_SYNC, MR_SYSCALL);
		if (err)
			putback_movable_pages(&pagelist);
	}
	up_read(&mm->mmap_sem);
}

static void op_mlock(void *priv, void *arg)
{
	struct mmw_arg *a = arg;

	mmw_enter(a->mm);
	sys_mlock(a->vma->vm_start, a->vma->vm_end - a->vma->vm_start);
}

static void op_munlock(void *priv, void *arg)
{
	struct mmw_arg *a = arg;

	mmw_enter(a->mm);
	sys_munlock(a->vma->vm_start, a->vma->vm_end - a->vma->vm_start);
}

/* a write to page I of the vma: the page fault path, mmap_sem for read */
static void op_cow(void *priv, void *arg)
{
	struct mmw_arg *a = arg;
	struct mm_struct *mm = &a->mm->mm;
	unsigned long addr = a->vma->vm_start + (a->n << PAGE_SHIFT);
	int tries;

	mmw_enter(a->mm);
	for (tries = 0; tries < 3; tries++) {
		struct vm_area_struct *vma;
		pte_t pte;
		int ret = VM_FAULT_SIGBUS;

		down_read(&mm->mmap_sem);
		vma = find_vma(mm, addr);
		if (vma && vma->vm_start <= addr && (vma->vm_flags & VM_WRITE))
			ret = handle_mm_fault(mm, vma, addr, FAULT_FLAG_WRITE);
		up_read(&mm->mmap_sem);
		if (ret)
			break;
		/* retried faults (migration entries) look again */
		pte = a->mm->pt->ptes[pte_index(addr)];
		if (pte_present(pte) && pte_write(pte))
			break;
	}
}

/* remap_file_pages(2) of a range of the vma, populate included */
static void op_remap(void *priv, void *arg)
{
	struct mmw_arg *a = arg;

	mmw_enter(a->mm);
	sys_remap_file_pages(a->vma->vm_start + (a->n << PAGE_SHIFT),
			     a->npages << PAGE_SHIFT, 0, a->pgoff, 0);
}

static void op_munmap(void *priv, void *arg)
{
	struct mmw_arg *a = arg;
	struct mm_struct *mm = &a->mm->mm;

	mmw_enter(a->mm);
	down_write(&mm->mmap_sem);
	do_munmap(mm, a->vma->vm_start, a->vma->vm_end - a->vma->vm_start);
	up_write(&mm->mmap_sem);
}

/*
 * A counter of the mm that is not back to zero when the mm is freed:
 * the finding is at the kernel line that changed it last, when known.
 */
static void mmw_bad_teardown(struct mmw_mm *mmw, const void *counter,
			     const char *name, long val, int line,
			     const char *msg)
{
	struct ksim_write_site site;
	char detail[1024], last[200];
	size_t used;
	int known = ksim_last_write_site(counter, -1, &site);

	used = snprintf(detail, sizeof(detail), "mm %s: %s is %ld when it is freed\n",
			mmw->name, name, val);
	if (known && ksim_last_write(counter, -1, last, sizeof(last)) &&
	    used < sizeof(detail)) {
		used += snprintf(detail + used, sizeof(detail) - used,
				 "  last %s change: %s\n", name, last);
		if (used < sizeof(detail))
			ksim_last_write_chain(counter, -1, "    ", detail + used,
					      sizeof(detail) - used);
	}
	ksim_report_at(KSIM_F_ACCOUNTING, known ? &site : NULL, __FILE__, line,
		       "check_mm", detail, NULL, 0, "%s", msg);
}

static const char *const mmw_rss_names[NR_MM_COUNTERS] = {
	[MM_FILEPAGES] = "MM_FILEPAGES",
	[MM_ANONPAGES] = "MM_ANONPAGES",
	[MM_SWAPENTS] = "MM_SWAPENTS",
};

/*
 * What __mmdrop() checks before it frees an mm (check_mm(), kernel/fork.c
 * of v3.13): every rss counter is back to zero.  v3.13 looks at nr_ptes
 * only in exit_mmap()'s WARN_ON; later kernels also check it here with a
 * "BUG:" line, and so does the harness.  The kernel prints the mm's
 * address; the message leaves it out (the detail names the mm).  Plain
 * reads: nothing else can reach the mm any more.
 */
static void check_mm(struct mmw_mm *mmw)
{
	struct mm_struct *mm = &mmw->mm;
	char msg[96];
	int i;

	for (i = 0; i < NR_MM_COUNTERS; i++) {
		long x = mm->rss_stat.count[i];

		if (unlikely(x)) {
			snprintf(msg, sizeof(msg),
				 "BUG: Bad rss-counter state idx:%d val:%ld", i, x);
			mmw_bad_teardown(mmw, &mm->rss_stat.count[i],
					 mmw_rss_names[i], x, __LINE__, msg);
		}
	}
	if (mm->nr_ptes.counter) {
		snprintf(msg, sizeof(msg),
			 "BUG: non-zero nr_ptes on freeing mm: %ld",
			 mm->nr_ptes.counter);
		mmw_bad_teardown(mmw, &mm->nr_ptes, "nr_ptes",
				 mm->nr_ptes.counter, __LINE__, msg);
	}
}

/*
 * The last user of the mm exits: mmput() -> exit_mmap(), then (nobody
 * else holds mm_count here) mmdrop() -> __mmdrop() -> check_mm().
 */
static void op_exit(void *priv, void *arg)
{
	struct mmw_arg *a = arg;

	mmw_enter(a->mm);
	if (atomic_dec_and_test(&a->mm->mm.mm_users)) {
		exit_mmap(&a->mm->mm);
		check_mm(a->mm);
	}
	current->mm = NULL;
}

/*
 * truncate(2) of the file to FROM pages: do_truncate() -> notify_change()
 * -> the filesystem's setattr, which sets the size and drops the page
 * cache beyond it with truncate_setsize(), all under i_mutex.
 */
static void op_truncate(void *priv, void *arg)
{
	struct mmw_arg *a = arg;
	struct inode *inode = &a->file->inode;

	mmw_enter(NULL);
	mutex_lock(&inode->i_mutex);
	truncate_setsize(inode, (loff_t)a->n << PAGE_SHIFT);
	mutex_unlock(&inode->i_mutex);
}

static void op_drain(void *priv, void *arg)
{
	mmw_enter(NULL);
	lru_add_drain();
}

/* ---- test-only operations: each breaks one invariant on purpose ---- */

static void op_test_skew_nr_mlock(void *priv, void *arg)
{
	struct zone *zone = ksim_mm_zone();

	mod_zone_page_state(zone, NR_MLOCK, 1);
}

/* free a pool page with PG_mlocked set: "Bad page state" */
static void op_test_free_mlocked_page(void *priv, void *arg)
{
	struct page *page = alloc_page(GFP_KERNEL);

	if (!page)
		return;
	SetPageMlocked(page);
	mod_zone_page_state(page_zone(page), NR_MLOCK, 1);
	put_page(page);
}

/* mlock a page that no VM_LOCKED vma maps, properly listed */
static void op_test_leak_mlock(void *priv, void *arg)
{
	struct mmw_arg *a = arg;

	if (isolate_lru_page(a->page))
		return;
	if (!TestSetPageMlocked(a->page))
		mod_zone_page_state(page_zone(a->page), NR_MLOCK, 1);
	putback_lru_page(a->page);
}

/* take a reference and never drop it */
static void op_test_extra_ref(void *priv, void *arg)
{
	struct mmw_arg *a = arg;

	get_page(a->page);
}

/* isolate a page and forget it: it ends on no LRU list */
static void op_test_lose_page(void *priv, void *arg)
{
	struct mmw_arg *a = arg;

	if (!isolate_lru_page(a->page))
		put_page(a->page);
}

/* leave PG_locked set with nobody owning it */
static void op_test_leave_locked(void *priv, void *arg)
{
	struct mmw_arg *a = arg;

	a->page->flags |= 1UL << PG_locked;
}

/*
 * The mm's last user exits, but one file pte's rss count is not
 * dropped (as if a zap forgot its dec_mm_counter()): check_mm() sees
 * MM_FILEPAGES at 1.
 */
static void op_test_exit_rss_skew(void *priv, void *arg)
{
	struct mmw_arg *a = arg;

	mmw_enter(a->mm);
	inc_mm_counter(&a->mm->mm, MM_FILEPAGES);
	op_exit(priv, arg);
}

/* mark a page mlocked where it is, on an evictable list */
static void op_test_strand(void *priv, void *arg)
{
	struct mmw_arg *a = arg;

	if (!TestSetPageMlocked(a->page))
		mod_zone_page_state(page_zone(a->page), NR_MLOCK, 1);
}

#define MM_OP(nm, fn, st, use, sum) \
	{ .name = nm, .model = "mm", .usage = use, .summary = sum, \
	  .setup = st, .run = fn }

const struct ksim_opdef ksim_mm_ops[] = {
	MM_OP("reclaim", op_reclaim, setup_page, "reclaim PAGE",
	      "reclaim the page: isolate it, shrink_page_list(), put back or free"),
	MM_OP("migrate", op_migrate, setup_migrate, "migrate PAGE",
	      "migrate_pages(2) of the page: isolate it, migrate_pages() MIGRATE_SYNC"),
	MM_OP("mlock", op_mlock, setup_vma, "mlock MM VMA",
	      "mlock(2) of the whole vma, then populate (FOLL_MLOCK)"),
	MM_OP("munlock", op_munlock, setup_vma, "munlock MM VMA",
	      "munlock(2) of the whole vma: munlock_vma_pages_range()"),
	MM_OP("cow", op_cow, setup_vma_idx, "cow MM VMA I",
	      "write fault on page I of a private vma: do_wp_page() COW"),
	MM_OP("remap", op_remap, setup_remap, "remap MM VMA I NPAGES PGOFF",
	      "remap_file_pages(2): pages I.. of a shared vma show file offsets PGOFF.. (VM_NONLINEAR)"),
	MM_OP("munmap", op_munmap, setup_vma, "munmap MM VMA",
	      "munmap(2) of the whole vma: munlock, unmap, unlink"),
	MM_OP("exit", op_exit, setup_mm, "exit MM",
	      "the mm's last user exits: exit_mmap() (no mmap_sem)"),
	MM_OP("truncate", op_truncate, setup_file_from, "truncate FILE FROM",
	      "truncate(2) of the file to FROM pages: truncate_pagecache()"),
	MM_OP("drain", op_drain, setup_none, "drain",
	      "lru_add_drain() of this CPU's pagevecs"),
	MM_OP("test_skew_nr_mlock", op_test_skew_nr_mlock, setup_none,
	      "test_skew_nr_mlock", "test only: NR_MLOCK += 1"),
	MM_OP("test_free_mlocked_page", op_test_free_mlocked_page, setup_none,
	      "test_free_mlocked_page",
	      "test only: free a pool page with PG_mlocked set"),
	MM_OP("test_leak_mlock", op_test_leak_mlock, setup_page,
	      "test_leak_mlock PAGE",
	      "test only: mlock a page no VM_LOCKED vma maps"),
	MM_OP("test_extra_ref", op_test_extra_ref, setup_page,
	      "test_extra_ref PAGE", "test only: get_page() never put"),
	MM_OP("test_lose_page", op_test_lose_page, setup_page,
	      "test_lose_page PAGE", "test only: isolate a page, never put it back"),
	MM_OP("test_leave_locked", op_test_leave_locked, setup_page,
	      "test_leave_locked PAGE", "test only: leave PG_locked set"),
	MM_OP("test_exit_rss_skew", op_test_exit_rss_skew, setup_mm,
	      "test_exit_rss_skew MM",
	      "test only: exit MM with its MM_FILEPAGES one too high"),
	MM_OP("test_strand", op_test_strand, setup_page, "test_strand PAGE",
	      "test only: set PG_mlocked on a page on an evictable list"),
	{ 0 }
};

/* ---- scenarios ---- */

/*
 * The mm scenarios are files: ../scenarios/NAME.scenario (compiled into the
 * registry by make scenarios).  This table stays for scenarios written in
 * C; the registry lists it after the files.
 */
const struct ksim_scenario ksim_mm_scenarios[] = {
	{ NULL, NULL, NULL }
};

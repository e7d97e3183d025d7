//! The memory allocator of every wasm build: blocks in power-of-two size
//! classes, a free list per class, and fresh blocks cut from the top of
//! the memory the module grows.
//!
//! It replaced talc for size: the engine's module is 0.4 KB smaller
//! gzipped. Every step is constant time. A freed block is kept for its own
//! class only (no splitting, no merging), so memory stays at the peak each
//! class has reached: the engine's work repeats (a frame, its events, a
//! view), so once warm it grows no more (tested below), at the price of up
//! to half of each block unused.

use core::alloc::{GlobalAlloc, Layout};
use core::cell::Cell;
use core::ptr;

/// A page of wasm memory, the unit it grows by.
const PAGE: usize = 65_536;
/// The smallest block: room for a free block's link to the next.
const MIN_BLOCK: usize = 8;
/// One class per power of two an address can hold.
const CLASSES: usize = usize::BITS as usize;

/// Where fresh memory comes from.
pub trait Grow {
    /// Adds `pages` pages of memory; the address of the first, or `None`
    /// if there is no more.
    fn grow(&self, pages: usize) -> Option<usize>;
}

/// The module's own memory, grown with `memory.grow`.
#[cfg(target_arch = "wasm32")]
pub struct WasmMemory;

#[cfg(target_arch = "wasm32")]
impl Grow for WasmMemory {
    fn grow(&self, pages: usize) -> Option<usize> {
        let old = core::arch::wasm32::memory_grow(0, pages);
        if old == usize::MAX { None } else { old.checked_mul(PAGE) }
    }
}

/// The allocator's state. Each block of class `c` is `2^c` bytes, aligned
/// to `2^c` or to a page, whichever is less.
pub struct Heap<G> {
    /// The first free block of each class, 0 if none; a free block's
    /// first word is the address of the next.
    free: [Cell<usize>; CLASSES],
    /// Where the next fresh block is cut.
    top: Cell<usize>,
    /// The end of the memory grown so far.
    end: Cell<usize>,
    grow: G,
}

// SAFETY: wasm32 without the atomics feature has one thread, so the cells
// are never reached from two threads at once (src/web/abi.rs relies on
// the same).
#[cfg(all(target_arch = "wasm32", not(target_feature = "atomics")))]
unsafe impl<G> Sync for Heap<G> {}

/// The class of the blocks that hold `layout`: none past the largest, or
/// for an alignment finer than pages give.
fn class_of(layout: Layout) -> Option<usize> {
    if layout.align() > PAGE {
        return None;
    }
    let need = layout.size().max(layout.align()).max(MIN_BLOCK);
    let class = (usize::BITS - (need - 1).leading_zeros()) as usize;
    (class < CLASSES).then_some(class)
}

impl<G: Grow> Heap<G> {
    /// An empty heap that grows from `grow`.
    pub const fn new(grow: G) -> Self {
        Heap { free: [const { Cell::new(0) }; CLASSES], top: Cell::new(0), end: Cell::new(0), grow }
    }

    /// A block for `layout`: a free one of its class, else a fresh one;
    /// null when memory cannot grow.
    pub fn allocate(&self, layout: Layout) -> *mut u8 {
        let Some((class, head)) = class_of(layout).and_then(|class| Some((class, self.free.get(class)?))) else { return ptr::null_mut() };
        match head.get() {
            0 => self.cut(class).map_or(ptr::null_mut(), |at| at as *mut u8),
            block => {
                // SAFETY: a free block holds the address of the next (`push`).
                head.set(unsafe { (block as *const usize).read() });
                block as *mut u8
            }
        }
    }

    /// Puts the block back on its class's list.
    ///
    /// # Safety
    /// `block` came from [`Heap::allocate`] with `layout` and is not used
    /// after.
    pub unsafe fn release(&self, block: *mut u8, layout: Layout) {
        if let Some(class) = class_of(layout) {
            // SAFETY: the caller gives the block up.
            unsafe { self.push(block as usize, class) };
        }
    }

    /// The block of `layout` resized to `size` bytes: the same block while
    /// the class stays, else a new one holding the old bytes (null, and the
    /// old block kept, if there is none).
    ///
    /// # Safety
    /// As [`Heap::release`]; on success the old block is not used after.
    pub unsafe fn resize(&self, block: *mut u8, layout: Layout, size: usize) -> *mut u8 {
        let Ok(new) = Layout::from_size_align(size, layout.align()) else { return ptr::null_mut() };
        if class_of(new) == class_of(layout) {
            return block;
        }
        let moved = self.allocate(new);
        if !moved.is_null() {
            // SAFETY: two live blocks, each at least as long as the copy.
            unsafe {
                ptr::copy_nonoverlapping(block, moved, layout.size().min(size));
                self.release(block, layout);
            }
        }
        moved
    }

    /// Puts the free block at `at` on the list of `class`.
    ///
    /// # Safety
    /// The block is free, this heap's, of that class, and aligned to 8.
    unsafe fn push(&self, at: usize, class: usize) {
        if let Some(head) = self.free.get(class) {
            // SAFETY: the block is free and holds a word (the caller).
            unsafe { (at as *mut usize).write(head.get()) };
            head.set(at);
        }
    }

    /// A fresh block of `class`, cut at the top, growing memory if needed.
    fn cut(&self, class: usize) -> Option<usize> {
        let size = 1usize.checked_shl(class as u32)?;
        let align = size.min(PAGE);
        loop {
            let (top, end) = (self.top.get(), self.end.get());
            let at = top.checked_add(align - 1)? & !(align - 1);
            let past = at.checked_add(size)?;
            if past <= end {
                self.free_range(top, at);
                self.top.set(past);
                return Some(at);
            }
            let pages = (past - end).div_ceil(PAGE);
            let start = self.grow.grow(pages)?;
            if start != end {
                // Not after the memory grown before (the first growth):
                // what was left there is free, and cutting starts anew.
                self.free_range(top, end);
                self.top.set(start);
            }
            self.end.set(start.checked_add(pages.checked_mul(PAGE)?)?);
        }
    }

    /// Frees the bytes from `from` to `to` (both multiples of 8), left
    /// over when a block is aligned: as the largest aligned blocks that
    /// fit, so nothing is lost.
    fn free_range(&self, mut from: usize, to: usize) {
        while from < to {
            let class = from.trailing_zeros().min((to - from).ilog2()) as usize;
            // SAFETY: the range is this heap's and unused; the block is
            // aligned to its size, and 8 bytes or more.
            unsafe { self.push(from, class) };
            from += 1 << class;
        }
    }
}

// SAFETY: blocks are aligned and sized for their layouts (`class_of`), and
// a block is never handed out twice before it is released.
unsafe impl<G: Grow> GlobalAlloc for Heap<G> {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        self.allocate(layout)
    }

    unsafe fn dealloc(&self, block: *mut u8, layout: Layout) {
        // SAFETY: the caller's contract is `release`'s.
        unsafe { self.release(block, layout) }
    }

    unsafe fn realloc(&self, block: *mut u8, layout: Layout, size: usize) -> *mut u8 {
        // SAFETY: the caller's contract is `resize`'s.
        unsafe { self.resize(block, layout, size) }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use std::collections::BTreeMap;

    /// Memory for a test heap: one page-aligned allocation of `pages`
    /// pages, handed out in order, as `memory.grow` would.
    struct Arena {
        base: *mut u8,
        pages: usize,
        used: Cell<usize>,
    }

    impl Arena {
        fn new(pages: usize) -> Arena {
            let layout = Layout::from_size_align(pages * PAGE, PAGE).unwrap();
            // SAFETY: the layout is not empty.
            let base = unsafe { std::alloc::alloc(layout) };
            assert!(!base.is_null());
            Arena { base, pages, used: Cell::new(0) }
        }

        /// The pages handed out so far.
        fn grown(&self) -> usize {
            self.used.get()
        }
    }

    impl Grow for &Arena {
        fn grow(&self, pages: usize) -> Option<usize> {
            let used = self.used.get();
            (used + pages <= self.pages).then(|| {
                self.used.set(used + pages);
                self.base as usize + used * PAGE
            })
        }
    }

    impl Drop for Arena {
        fn drop(&mut self) {
            // SAFETY: allocated in `new` with this layout.
            unsafe { std::alloc::dealloc(self.base, Layout::from_size_align(self.pages * PAGE, PAGE).unwrap()) };
        }
    }

    /// A live block: its layout and the byte it was filled with.
    type Live = BTreeMap<usize, (Layout, u8)>;

    fn fill(block: *mut u8, layout: Layout, byte: u8) {
        // SAFETY: a live block of `layout.size()` bytes.
        unsafe { ptr::write_bytes(block, byte, layout.size()) };
    }

    /// The block is aligned, inside the arena, overlaps no live block, and
    /// every live block still holds its bytes.
    fn check(arena: &Arena, live: &Live, block: *mut u8, layout: Layout) {
        let at = block as usize;
        assert!(!block.is_null(), "{layout:?} got no block");
        assert_eq!(at % layout.align(), 0, "{layout:?} misaligned at {at:#x}");
        assert!(at >= arena.base as usize && at + layout.size() <= arena.base as usize + arena.grown() * PAGE);
        if let Some((&before, (l, _))) = live.range(..=at).next_back() {
            assert!(before + l.size() <= at, "{layout:?} at {at:#x} overlaps a block at {before:#x}");
        }
        if let Some((&after, _)) = live.range(at..).next() {
            assert!(at + layout.size() <= after, "{layout:?} at {at:#x} overlaps a block at {after:#x}");
        }
        for (&at, &(layout, byte)) in live {
            // SAFETY: a live block.
            let bytes = unsafe { std::slice::from_raw_parts(at as *const u8, layout.size()) };
            assert!(bytes.iter().all(|b| *b == byte), "the block at {at:#x} lost its bytes");
        }
    }

    #[derive(Debug, Clone)]
    enum Step {
        Allocate { size: usize, align_log: u32 },
        Release(usize),
        Resize(usize, usize),
    }

    fn step() -> impl Strategy<Value = Step> {
        let size = prop_oneof![1usize..64, 1usize..5_000, 60_000usize..200_000];
        prop_oneof![
            (size.clone(), 0u32..13).prop_map(|(size, align_log)| Step::Allocate { size, align_log }),
            any::<usize>().prop_map(Step::Release),
            (any::<usize>(), size).prop_map(|(which, size)| Step::Resize(which, size)),
        ]
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(64))]

        /// Any sequence of allocations, releases and resizes gets aligned
        /// blocks that never overlap, and resizing keeps the bytes.
        #[test]
        fn blocks_are_aligned_disjoint_and_keep_their_bytes(steps in proptest::collection::vec(step(), 1..200)) {
            let arena = Arena::new(512);
            let heap = Heap::new(&arena);
            let mut live = Live::new();
            for (n, step) in steps.into_iter().enumerate() {
                let byte = n as u8;
                match step {
                    Step::Allocate { size, align_log } => {
                        let layout = Layout::from_size_align(size, 1 << align_log).unwrap();
                        let block = heap.allocate(layout);
                        check(&arena, &live, block, layout);
                        fill(block, layout, byte);
                        live.insert(block as usize, (layout, byte));
                    }
                    Step::Release(which) if !live.is_empty() => {
                        let at = *live.keys().nth(which % live.len()).unwrap();
                        let (layout, _) = live.remove(&at).unwrap();
                        // SAFETY: a live block, forgotten here.
                        unsafe { heap.release(at as *mut u8, layout) };
                    }
                    Step::Resize(which, size) if !live.is_empty() => {
                        let at = *live.keys().nth(which % live.len()).unwrap();
                        let (layout, old) = live.remove(&at).unwrap();
                        // SAFETY: a live block, replaced by the result.
                        let block = unsafe { heap.resize(at as *mut u8, layout, size) };
                        let new = Layout::from_size_align(size, layout.align()).unwrap();
                        // SAFETY: the kept prefix of the moved block.
                        let kept = unsafe { std::slice::from_raw_parts(block, layout.size().min(size)) };
                        assert!(kept.iter().all(|b| *b == old), "resizing lost the bytes");
                        check(&arena, &live, block, new);
                        fill(block, new, byte);
                        live.insert(block as usize, (new, byte));
                    }
                    _ => {}
                }
            }
        }
    }

    /// SPEC N8, in the page: work that repeats (a frame parsed into a tree,
    /// vectors grown and dropped) grows memory the first time only.
    #[test]
    fn repeated_work_grows_memory_once() {
        let arena = Arena::new(64);
        let heap = Heap::new(&arena);
        let round = || {
            let mut blocks = Vec::new();
            let mut vector = (ptr::null_mut::<u8>(), Layout::from_size_align(8, 8).unwrap());
            for n in 1..2_000usize {
                let layout = Layout::from_size_align(n % 97 + 1, 1 << (n % 4)).unwrap();
                blocks.push((heap.allocate(layout), layout));
                // A vector growing by doubling beside them.
                if n.is_power_of_two() {
                    let bigger = Layout::from_size_align(n * 16, 8).unwrap();
                    // SAFETY: the vector's live block, replaced by the result.
                    vector.0 = if vector.0.is_null() { heap.allocate(bigger) } else { unsafe { heap.resize(vector.0, vector.1, n * 16) } };
                    vector.1 = bigger;
                }
            }
            for (block, layout) in blocks.into_iter().chain([vector]) {
                // SAFETY: every block of the round, released once.
                unsafe { heap.release(block, layout) };
            }
        };
        round();
        let warm = arena.grown();
        for _ in 0..5 {
            round();
        }
        assert!(warm > 0);
        assert_eq!(arena.grown(), warm, "memory grew after the first round");
    }

    /// Aligning a large block leaves a gap below it; the gap is cut into
    /// free blocks that later allocations use before anything is cut above.
    #[test]
    fn the_gap_below_an_aligned_block_is_used() {
        let arena = Arena::new(8);
        let heap = Heap::new(&arena);
        heap.allocate(Layout::from_size_align(8, 8).unwrap());
        let big = heap.allocate(Layout::from_size_align(4_096, 4_096).unwrap());
        assert_eq!(big as usize, arena.base as usize + 4_096);
        // The gap from byte 8 to 4,096 is one block of each size from 8 to 2,048.
        for class in 3..12 {
            let block = heap.allocate(Layout::from_size_align(1 << class, 8).unwrap());
            assert_eq!(block as usize, arena.base as usize + (1 << class), "the gap's block of {} bytes", 1 << class);
        }
    }

    /// Out of memory is a null block, not a panic; a layout no class
    /// holds (aligned finer than pages) is one too.
    #[test]
    fn no_memory_is_a_null_block() {
        let arena = Arena::new(2);
        let heap = Heap::new(&arena);
        assert!(heap.allocate(Layout::from_size_align(3 * PAGE, 8).unwrap()).is_null());
        assert!(heap.allocate(Layout::from_size_align(8, 2 * PAGE).unwrap()).is_null());
        assert!(!heap.allocate(Layout::from_size_align(PAGE, 8).unwrap()).is_null());
    }
}

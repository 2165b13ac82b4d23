// Launch helpers shared by the CUDA kernels. Only c10's CUDA headers are
// used (not ATen/cuda/CUDAContext.h, which needs the cuBLAS / cuSPARSE
// headers of a full toolkit), so an nvcc-only toolkit compiles the kernels.
#pragma once
#include <ATen/ATen.h>
#include <c10/cuda/CUDAException.h>
#include <c10/cuda/CUDAGuard.h>
#include <c10/cuda/CUDAStream.h>

#include <algorithm>

#define CUDA_1D_KERNEL_LOOP(i, n)                                  \
  for (int64_t i = blockIdx.x * int64_t(blockDim.x) + threadIdx.x; \
       i < (n); i += int64_t(blockDim.x) * gridDim.x)

namespace mmaction_ext {

constexpr int kThreadsPerBlock = 256;

inline int blocks_for(int64_t count) {
  const int64_t blocks = (count + kThreadsPerBlock - 1) / kThreadsPerBlock;
  return static_cast<int>(std::min<int64_t>(std::max<int64_t>(blocks, 1),
                                            4096));
}

}  // namespace mmaction_ext

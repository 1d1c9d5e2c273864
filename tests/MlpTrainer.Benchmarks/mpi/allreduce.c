/* MPICH's own all-reduce figure, for comparison with MpiWorkerGroup (see allreduce-bandwidth.sh): times an in-place
   MPI_Allreduce(MPI_SUM) of N floats, each call after a barrier, and prints the median and 90th percentile. */
#include <mpi.h>
#include <stdio.h>
#include <stdlib.h>

static int compare(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

int main(int argc, char **argv)
{
    MPI_Init(&argc, &argv);
    int rank;
    MPI_Comm_rank(MPI_COMM_WORLD, &rank);
    int n = argc > 1 ? atoi(argv[1]) : 1 << 20, repeats = argc > 2 ? atoi(argv[2]) : 50;
    float *buffer = malloc(sizeof(float) * n);
    double *times = malloc(sizeof(double) * repeats);
    for (int i = 0; i < n; i++)
        buffer[i] = 1;
    for (int i = 0; i < 5; i++)
        MPI_Allreduce(MPI_IN_PLACE, buffer, n, MPI_FLOAT, MPI_SUM, MPI_COMM_WORLD);
    for (int i = 0; i < repeats; i++) {
        MPI_Barrier(MPI_COMM_WORLD);
        double start = MPI_Wtime();
        MPI_Allreduce(MPI_IN_PLACE, buffer, n, MPI_FLOAT, MPI_SUM, MPI_COMM_WORLD);
        times[i] = (MPI_Wtime() - start) * 1e3;
    }
    qsort(times, repeats, sizeof(double), compare);
    double median = times[repeats / 2];
    if (rank == 0)
        printf("MPICH allreduce %d floats median %.3f ms P90 %.3f ms %.2f GB/s\n", n, median, times[repeats * 9 / 10], n * 4.0 / (median / 1e3) / 1e9);
    free(buffer);
    free(times);
    MPI_Finalize();
    return 0;
}

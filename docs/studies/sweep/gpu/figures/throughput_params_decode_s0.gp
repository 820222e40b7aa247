set terminal svg size 800,480 font 'Helvetica,11' noenhanced
set encoding utf8
set output 'throughput_params_decode_s0.svg'
set key below left
set grid
set logscale xy
set xlabel 'parameters (from the manifest''s tensors)'
set ylabel 'decode_tokens_per_s (tokens/s), mean'
set title 'decode throughput vs size, single_micro (1x8)'
$d0 << EOD
102714 5097.30593
827088 22255.0652
17867008 2105.81144
51475968 984.616325
124439808 220.898422
354823168 73.2429084
774030080 34.7931418
1557611200 20.6597142
EOD
$d1 << EOD
102714 20190.6071
827088 18123.4186
17867008 7309.92106
51475968 4366.43454
124439808 2243.29857
354823168 994.504094
774030080 499.68234
1557611200 295.873899
EOD
$d2 << EOD
102714 19377.1941
827088 18677.0792
17867008 7429.95506
51475968 4353.27519
124439808 2259.32955
354823168 1007.15031
774030080 528.582062
1557611200 308.595746
EOD
plot $d0 using 1:2 with linespoints title 'native-cpu fp32 on cpu', \
     $d1 using 1:2 with linespoints title 'native-cuda bf16 on cuda:0', \
     $d2 using 1:2 with linespoints title 'native-cuda fp16 on cuda:0'

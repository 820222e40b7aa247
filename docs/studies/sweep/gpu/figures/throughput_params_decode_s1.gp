set terminal svg size 800,480 font 'Helvetica,11' noenhanced
set encoding utf8
set output 'throughput_params_decode_s1.svg'
set key below left
set grid
set logscale xy
set xlabel 'parameters (from the manifest''s tensors)'
set ylabel 'decode_tokens_per_s (tokens/s), mean'
set title 'decode throughput vs size, single_long (1x128)'
$d0 << EOD
102714 16631.1095
827088 17956.5776
17867008 1886.07113
51475968 858.501075
124439808 192.060726
354823168 77.4015182
774030080 34.5278166
1557611200 18.8927867
EOD
$d1 << EOD
102714 19415.3658
827088 18196.3363
17867008 6778.02496
51475968 4054.79762
124439808 2129.23436
354823168 947.285319
774030080 480.395515
1557611200 286.09118
EOD
$d2 << EOD
102714 19112.9925
827088 18780.3029
17867008 6877.90594
51475968 4055.69481
124439808 2141.67799
354823168 956.435277
774030080 505.888595
1557611200 298.259599
EOD
plot $d0 using 1:2 with linespoints title 'native-cpu fp32 on cpu', \
     $d1 using 1:2 with linespoints title 'native-cuda bf16 on cuda:0', \
     $d2 using 1:2 with linespoints title 'native-cuda fp16 on cuda:0'

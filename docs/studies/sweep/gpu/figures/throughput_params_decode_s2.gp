set terminal svg size 800,480 font 'Helvetica,11' noenhanced
set encoding utf8
set output 'throughput_params_decode_s2.svg'
set key below left
set grid
set logscale xy
set xlabel 'parameters (from the manifest''s tensors)'
set ylabel 'decode_tokens_per_s (tokens/s), mean'
set title 'decode throughput vs size, batch_medium (4x64)'
$d0 << EOD
102714 36616.829
827088 22135.3211
17867008 4235.79658
51475968 1818.88056
124439808 568.052768
354823168 220.88334
774030080 102.441256
1557611200 63.1012453
EOD
$d1 << EOD
102714 47246.8056
827088 38329.6556
17867008 15502.8917
51475968 8869.5023
124439808 5689.2205
354823168 1957.41139
774030080 1113.7085
1557611200 694.828508
EOD
$d2 << EOD
102714 47109.9246
827088 38840.0881
17867008 15785.8554
51475968 8877.57358
124439808 5765.12416
354823168 2038.01105
774030080 1114.54379
1557611200 722.989472
EOD
plot $d0 using 1:2 with linespoints title 'native-cpu fp32 on cpu', \
     $d1 using 1:2 with linespoints title 'native-cuda bf16 on cuda:0', \
     $d2 using 1:2 with linespoints title 'native-cuda fp16 on cuda:0'

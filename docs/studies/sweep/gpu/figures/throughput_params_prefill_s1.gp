set terminal svg size 800,480 font 'Helvetica,11' noenhanced
set encoding utf8
set output 'throughput_params_prefill_s1.svg'
set key below left
set grid
set logscale xy
set xlabel 'parameters (from the manifest''s tensors)'
set ylabel 'prefill_tokens_per_s (tokens/s), mean'
set title 'prefill throughput vs size, single_long (1x128)'
$d0 << EOD
102714 446370.858
827088 145255.105
17867008 12005.1427
51475968 3261.2954
124439808 999.440218
354823168 290.858697
774030080 129.085793
1557611200 81.7469367
EOD
$d1 << EOD
102714 1196326.01
827088 810492.689
17867008 349225.342
51475968 246811.495
124439808 145210.053
354823168 61195.9848
774030080 36562.4358
1557611200 22544.0169
EOD
$d2 << EOD
102714 1028571.06
827088 929120.629
17867008 357791.188
51475968 246404.267
124439808 145612.757
354823168 61856.4498
774030080 36065.6125
1557611200 22606.0687
EOD
plot $d0 using 1:2 with linespoints title 'native-cpu fp32 on cpu', \
     $d1 using 1:2 with linespoints title 'native-cuda bf16 on cuda:0', \
     $d2 using 1:2 with linespoints title 'native-cuda fp16 on cuda:0'

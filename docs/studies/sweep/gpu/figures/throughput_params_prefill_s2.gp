set terminal svg size 800,480 font 'Helvetica,11' noenhanced
set encoding utf8
set output 'throughput_params_prefill_s2.svg'
set key below left
set grid
set logscale xy
set xlabel 'parameters (from the manifest''s tensors)'
set ylabel 'prefill_tokens_per_s (tokens/s), mean'
set title 'prefill throughput vs size, batch_medium (4x64)'
$d0 << EOD
102714 457018.959
827088 170679.41
17867008 12795.6518
51475968 3318.5999
124439808 1078.27869
354823168 304.212139
774030080 152.032891
1557611200 116.391434
EOD
$d1 << EOD
102714 1991593.87
827088 1583149.33
17867008 716263.705
51475968 514327.076
124439808 295545.459
354823168 119276.559
774030080 68600.329
1557611200 42381.7397
EOD
$d2 << EOD
102714 1834889.71
827088 1672675.36
17867008 925493.568
51475968 502804.951
124439808 293968.472
354823168 120352.913
774030080 67720.0088
1557611200 42567.5931
EOD
plot $d0 using 1:2 with linespoints title 'native-cpu fp32 on cpu', \
     $d1 using 1:2 with linespoints title 'native-cuda bf16 on cuda:0', \
     $d2 using 1:2 with linespoints title 'native-cuda fp16 on cuda:0'

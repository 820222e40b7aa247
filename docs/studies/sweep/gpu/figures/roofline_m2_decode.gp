set terminal svg size 800,480 font 'Helvetica,11' noenhanced
set encoding utf8
set output 'roofline_m2_decode.svg'
set key below left
set grid
set xtics ('single_micro (1x8)' 0, 'single_long (1x128)' 1, 'batch_medium (4x64)' 2) rotate by -20
set xrange [-0.5:2.5]
set logscale y
set arrow from graph 0, first 1 to graph 1, first 1 nohead dt 2
set ylabel 'measured / roofline floor (x), mean with 95% CI'
set title 'synthetic-18m: decode, decode_roofline_ratio (1 = floor)'
$d0 << EOD
-0.06 0.716771634 0.700124004 0.733419263
0.94 1.75066792 -1.32336659 4.82470242
1.94 1.42100882 0.994858088 1.84715955
EOD
$d1 << EOD
0 11.5852683 11.5214159 11.6491206
1 12.2390762 12.195927 12.2822253
2 20.7815245 20.7390139 20.8240351
EOD
$d2 << EOD
0.06 11.3980968 11.3364664 11.4597272
1.06 12.0613208 12.024528 12.0981136
2.06 20.4091689 20.3202159 20.4981218
EOD
plot $d0 using 1:2:3:4 with yerrorlines title 'native-cpu fp32 on cpu', \
     $d1 using 1:2:3:4 with yerrorlines title 'native-cuda bf16 on cuda:0', \
     $d2 using 1:2:3:4 with yerrorlines title 'native-cuda fp16 on cuda:0'
